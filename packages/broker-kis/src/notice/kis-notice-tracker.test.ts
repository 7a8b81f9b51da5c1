import { describe, expect, it } from 'vitest';
import { NOTICE_KEY, noticeFrame, noticeRecord } from '../../test/notice-fixtures.js';
import {
  createKisNoticeDecrypter,
  parseKisNoticeControl,
  parseKisNoticeRecords,
  splitKisNoticeFrame,
} from '../wire/kis-ccnl-notice-api.js';
import { KisNoticeTracker } from './kis-notice-tracker.js';

const decrypt = createKisNoticeDecrypter(NOTICE_KEY);

function records(frame: string) {
  const split = splitKisNoticeFrame(frame);
  if (split === null) throw new Error('not a frame');
  const parsed = parseKisNoticeRecords(decrypt(split.payload), split.count);
  if ('error' in parsed) throw new Error(parsed.error);
  return parsed.records;
}

describe('notice frames', () => {
  it('decrypts AES-256-CBC and parses the 26-field layout', () => {
    const [record] = records(
      noticeFrame([
        noticeRecord({ ODER_NO: '0000437810', CNTG_QTY: '3', CNTG_UNPR: '70000', CNTG_YN: '2' }),
      ]),
    );
    expect(record).toEqual({
      customerId: 'qtsuser',
      orderNumber: '0000437810',
      originalOrderNumber: '',
      side: 'buy',
      action: 'new',
      orderTypeCode: '00',
      executionConditionCode: '0',
      exchangeCode: '1',
      symbol: '005930',
      quantity: 3,
      price: 70_000,
      time: '101502',
      rejected: false,
      fill: true,
      acceptance: '2',
      branch: '91252',
      orderQuantity: 10,
      orderPrice: 70_000,
    });
  });

  it('parses the older 23-field layout (ODER_PRC last)', () => {
    const [record] = records(
      noticeFrame([
        noticeRecord(
          { ODER_NO: '1', CNTG_QTY: '10', CNTG_UNPR: '0', CNTG_YN: '1', ODER_PRC: '69900' },
          23,
        ),
      ]),
    );
    expect(record).toMatchObject({ orderNumber: '1', fill: false, orderPrice: 69_900 });
  });

  it('ignores extra trailing fields and splits multi-record frames', () => {
    const one = records(
      noticeFrame([
        `${noticeRecord({ ODER_NO: '1', CNTG_QTY: '1', CNTG_UNPR: '1', CNTG_YN: '2' })}^X^Y`,
      ]),
    );
    expect(one).toHaveLength(1);
    const three = records(
      noticeFrame([
        noticeRecord({ ODER_NO: '1', CNTG_QTY: '1', CNTG_UNPR: '70000', CNTG_YN: '2' }),
        noticeRecord({ ODER_NO: '2', CNTG_QTY: '2', CNTG_UNPR: '70000', CNTG_YN: '2' }),
        noticeRecord({ ODER_NO: '3', CNTG_QTY: '3', CNTG_UNPR: '70000', CNTG_YN: '2' }),
      ]),
    );
    expect(three.map((record) => record.orderNumber)).toEqual(['1', '2', '3']);
  });

  it('refuses payloads that fit no layout', () => {
    expect(parseKisNoticeRecords('a^b^c', 1)).toEqual({
      error: expect.stringContaining('3 fields'),
    });
    expect(splitKisNoticeFrame('hello')).toBeNull();
  });

  it('reads control messages: PINGPONG and the subscribe reply with key/iv', () => {
    expect(
      parseKisNoticeControl('{"header":{"tr_id":"PINGPONG","datetime":"20260105101502"}}'),
    ).toEqual({
      kind: 'pingpong',
    });
    expect(
      parseKisNoticeControl(
        JSON.stringify({
          header: { tr_id: 'H0STCNI9', tr_key: 'qtsuser', encrypt: 'Y' },
          body: { rt_cd: '0', msg_cd: 'OPSP0000', msg1: 'SUBSCRIBE SUCCESS', output: NOTICE_KEY },
        }),
      ),
    ).toEqual({
      kind: 'reply',
      trId: 'H0STCNI9',
      ok: true,
      code: 'OPSP0000',
      message: 'SUBSCRIBE SUCCESS',
      cipher: NOTICE_KEY,
    });
  });
});

describe('KisNoticeTracker', () => {
  const fill = (qty: string, price: string, time = '101502', odno = '0000437810') =>
    noticeRecord({
      ODER_NO: odno,
      CNTG_QTY: qty,
      CNTG_UNPR: price,
      CNTG_YN: '2',
      STCK_CNTG_HOUR: time,
    });

  it('emits cumulative quantity and average price per order', () => {
    const tracker = new KisNoticeTracker();
    const a = tracker.map(records(noticeFrame([fill('3', '70000', '101500')])), '20260105');
    const b = tracker.map(records(noticeFrame([fill('2', '70100', '101501')])), '20260105');
    expect(a).toEqual([
      {
        type: 'order-filled',
        brokerOrderId: '0000437810',
        symbol: '005930',
        side: 'buy',
        filledQuantity: 3,
        averagePrice: 70_000,
        lastQuantity: 3,
        lastPrice: 70_000,
        at: '2026-01-05T10:15:00+09:00',
        source: 'notice',
      },
    ]);
    expect(b[0]).toMatchObject({ filledQuantity: 5, averagePrice: 70_040, lastQuantity: 2 });
  });

  it('drops a replayed frame but keeps identical fills inside one frame', () => {
    const tracker = new KisNoticeTracker();
    const frame = noticeFrame([fill('1', '70000'), fill('1', '70000')]);
    expect(
      tracker.map(records(frame), '20260105').map((e) => 'filledQuantity' in e && e.filledQuantity),
    ).toEqual([1, 2]);
    expect(tracker.map(records(frame), '20260105')).toEqual([]);
    const single = noticeFrame([fill('2', '70000', '101503')]);
    expect(tracker.map(records(single), '20260105')).toHaveLength(1);
    expect(tracker.map(records(single), '20260105')).toEqual([]);
  });

  it('tracks orders apart, matching order numbers without leading zeros', () => {
    const tracker = new KisNoticeTracker({
      displayId: (id) => (id.replace(/^0+/, '') === '7' ? '0000000007' : id),
    });
    tracker.map(records(noticeFrame([fill('1', '100', '101500', '7')])), '20260105');
    const events = tracker.map(
      records(
        noticeFrame([fill('2', '100', '101501', '0000000007'), fill('5', '100', '101501', '8')]),
      ),
      '20260105',
    );
    expect(events.map((e) => 'filledQuantity' in e && [e.brokerOrderId, e.filledQuantity])).toEqual(
      [
        ['0000000007', 3],
        ['8', 5],
      ],
    );
  });

  it('tells receipts, rejects, cancels and modifies apart, once each', () => {
    const tracker = new KisNoticeTracker();
    const frame = noticeFrame([
      noticeRecord({ ODER_NO: '1', CNTG_QTY: '10', CNTG_UNPR: '', CNTG_YN: '1', ACPT_YN: '1' }),
      noticeRecord({ ODER_NO: '2', CNTG_QTY: '10', CNTG_UNPR: '', CNTG_YN: '1', RFUS_YN: '1' }),
      noticeRecord({
        ODER_NO: '3',
        OODER_NO: '1',
        RCTF_CLS: '2',
        CNTG_QTY: '10',
        CNTG_UNPR: '',
        CNTG_YN: '1',
      }),
      noticeRecord({
        ODER_NO: '4',
        OODER_NO: '1',
        RCTF_CLS: '1',
        CNTG_QTY: '5',
        CNTG_UNPR: '',
        CNTG_YN: '1',
        ODER_PRC: '69900',
      }),
      noticeRecord({
        ODER_NO: '5',
        CNTG_QTY: '10',
        CNTG_UNPR: '',
        CNTG_YN: '1',
        ODER_KIND: '01',
        ODER_PRC: '0',
      }),
    ]);
    const events = tracker.map(records(frame), '20260105');
    expect(events).toEqual([
      expect.objectContaining({
        type: 'order-accepted',
        brokerOrderId: '1',
        brokerBranch: '91252',
        quantity: 10,
        limitPrice: 70_000,
      }),
      expect.objectContaining({ type: 'order-rejected', brokerOrderId: '2', brokerCode: null }),
      expect.objectContaining({
        type: 'order-canceled',
        brokerOrderId: '1',
        cancelBrokerOrderId: '3',
        canceledQuantity: 10,
      }),
      expect.objectContaining({
        type: 'order-modified',
        brokerOrderId: '1',
        newBrokerOrderId: '4',
        quantity: 5,
        limitPrice: 69_900,
      }),
      expect.objectContaining({ type: 'order-accepted', brokerOrderId: '5', limitPrice: null }),
    ]);
    expect(tracker.map(records(frame), '20260105')).toEqual([]);
  });

  it('a cancel or modify is final on its confirmation (ACPT_YN 2), not on its receipt (ACPT_YN 1)', () => {
    const tracker = new KisNoticeTracker();
    const revision = (rctf: '1' | '2', odno: string, acceptance: '1' | '2') =>
      noticeRecord({
        ODER_NO: odno,
        OODER_NO: '1',
        RCTF_CLS: rctf,
        CNTG_QTY: '4',
        CNTG_UNPR: '',
        CNTG_YN: '1',
        ACPT_YN: acceptance,
        ODER_QTY: '4',
      });
    expect(tracker.map(records(noticeFrame([revision('2', '3', '1')])), '20260105')).toEqual([]);
    expect(tracker.map(records(noticeFrame([revision('1', '4', '1')])), '20260105')).toEqual([]);
    expect(tracker.map(records(noticeFrame([revision('2', '3', '2')])), '20260105')).toEqual([
      expect.objectContaining({
        type: 'order-canceled',
        cancelBrokerOrderId: '3',
        canceledQuantity: 4,
      }),
    ]);
    expect(tracker.map(records(noticeFrame([revision('1', '4', '2')])), '20260105')).toEqual([
      expect.objectContaining({ type: 'order-modified', newBrokerOrderId: '4', quantity: 4 }),
    ]);
  });
});

describe('notices of order divisions and venues', () => {
  it('reads ODER_KIND, ODER_COND and ORD_EXG_GB of an IOC order at NXT', () => {
    const [record] = records(
      noticeFrame([
        noticeRecord({
          ODER_NO: '11',
          CNTG_QTY: '10',
          CNTG_UNPR: '',
          CNTG_YN: '1',
          ACPT_YN: '1',
          ODER_KIND: '11',
          ODER_COND: '1',
          ORD_EXG_GB: '2',
        }),
      ]),
    );
    expect(record).toMatchObject({
      orderTypeCode: '11',
      executionConditionCode: '1',
      exchangeCode: '2',
    });
  });

  it('an IOC remainder canceled by the exchange (ACPT_YN 3) is an order-canceled event after the fill, once', () => {
    const tracker = new KisNoticeTracker();
    const ioc = {
      ODER_NO: '0000000021',
      ODER_KIND: '11',
      ODER_COND: '1',
      ODER_QTY: '10',
    } as const;
    const frame = noticeFrame([
      noticeRecord({ ...ioc, CNTG_QTY: '10', CNTG_UNPR: '', CNTG_YN: '1', ACPT_YN: '1' }),
      noticeRecord({ ...ioc, CNTG_QTY: '4', CNTG_UNPR: '70000', CNTG_YN: '2' }),
      noticeRecord({ ...ioc, CNTG_QTY: '6', CNTG_UNPR: '', CNTG_YN: '1', ACPT_YN: '3' }),
    ]);
    expect(tracker.map(records(frame), '20260105')).toEqual([
      expect.objectContaining({ type: 'order-accepted', brokerOrderId: '0000000021' }),
      expect.objectContaining({ type: 'order-filled', filledQuantity: 4, lastPrice: 70_000 }),
      expect.objectContaining({
        type: 'order-canceled',
        brokerOrderId: '0000000021',
        cancelBrokerOrderId: null,
        canceledQuantity: 6,
      }),
    ]);
    expect(tracker.map(records(frame), '20260105')).toEqual([]);
  });

  it('an order the exchange prices (best, ODER_KIND 03) is accepted without a limit price', () => {
    const tracker = new KisNoticeTracker();
    const frame = noticeFrame([
      noticeRecord({
        ODER_NO: '31',
        CNTG_QTY: '10',
        CNTG_UNPR: '',
        CNTG_YN: '1',
        ACPT_YN: '1',
        ODER_KIND: '03',
        ODER_PRC: '0',
      }),
    ]);
    expect(tracker.map(records(frame), '20260105')).toEqual([
      expect.objectContaining({ type: 'order-accepted', brokerOrderId: '31', limitPrice: null }),
    ]);
  });
});

describe('createKisNoticeDecrypter (ECB blocks + CBC chaining done by hand)', () => {
  it('equals node:crypto AES-256-CBC on payloads of every length 0..100 and UTF-8 text', async () => {
    const { createDecipheriv, randomBytes } = await import('node:crypto');
    const { encrypt } = await import('../../test/notice-fixtures.js');
    for (let length = 0; length <= 100; length += 1) {
      const text = `${randomBytes(length).toString('base64').slice(0, length)}홍길동^삼성전자`;
      const payload = encrypt(text);
      const reference = createDecipheriv(
        'aes-256-cbc',
        Buffer.from(NOTICE_KEY.key),
        Buffer.from(NOTICE_KEY.iv),
      );
      const expected = Buffer.concat([
        reference.update(Buffer.from(payload, 'base64')),
        reference.final(),
      ]).toString('utf8');
      expect(decrypt(payload)).toBe(expected);
      expect(decrypt(payload)).toBe(text);
    }
  });

  it('refuses a wrong key, a truncated payload and bad padding', () => {
    const payload =
      noticeFrame([
        noticeRecord({ ODER_NO: '1', CNTG_QTY: '1', CNTG_UNPR: '1', CNTG_YN: '2' }),
      ]).split('|')[3] ?? '';
    const wrong = createKisNoticeDecrypter({ key: 'Z'.repeat(32), iv: NOTICE_KEY.iv });
    expect(() => wrong(payload)).toThrow();
    expect(() => decrypt(payload.slice(0, 10))).toThrow();
    expect(() => decrypt('')).toThrow();
  });
});
