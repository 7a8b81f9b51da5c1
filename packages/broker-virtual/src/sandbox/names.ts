// Product names the sandbox gives to a few well-known KRX symbols (prdt_name, and the notice's
// CNTG_ISNM40). The sandbox does not know the KRX listing: any well-formed symbol trades (KIS's
// answer for an unlisted code is not confirmed, so the sandbox is permissive), and a symbol not
// in this table gets an empty name rather than a made-up one.
const NAMES: Readonly<Record<string, string>> = {
  '005930': '삼성전자',
  '005935': '삼성전자우',
  '000660': 'SK하이닉스',
  '035720': '카카오',
  '035420': 'NAVER',
  '005380': '현대차',
  '000270': '기아',
  '051910': 'LG화학',
  '006400': '삼성SDI',
  '068270': '셀트리온',
  '207940': '삼성바이오로직스',
  '105560': 'KB금융',
  '069500': 'KODEX 200',
};

/** The product name of a symbol, or '' when the sandbox does not know it. */
export function productName(symbol: string): string {
  return NAMES[symbol] ?? '';
}
