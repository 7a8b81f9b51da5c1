// The KIS WebSocket face: execution-notice subscription (H0STCNI0 real / H0STCNI9 paper),
// AES-256-CBC encrypted notices, PINGPONG keep-alive (docs/kis-protocol.md §8, §12).
import * as v from 'valibot';
import type { WebSocket } from 'ws';
import { ORD_DVSN_OF, oderCond, ordExgGb } from './divisions.js';
import type { ExchangeAccess, ExchangeEvent } from './exchange-access.js';
import { kstCompact, kstTime } from './kst.js';
import { productName } from './names.js';
import { type NoticeKey, type NoticeRecord, newNoticeKey, noticeFrame } from './notice-crypto.js';
import type { TokenStore } from './tokens.js';
import type { KisSandboxCredentials, KisSandboxEnvironment } from './types.js';

/** Paths a KIS client may connect to (portal `/tryitout/H0STCNI0`, OTA `/tryitout`, legacy `/`). */
export const WEBSOCKET_PATHS: ReadonlySet<string> = new Set([
  '/',
  '/tryitout',
  '/tryitout/H0STCNI0',
  '/tryitout/H0STCNI9',
]);

const SubscribeMessage = v.object({
  header: v.object({
    approval_key: v.string(),
    custtype: v.optional(v.string()),
    tr_type: v.string(),
    'content-type': v.optional(v.string()),
  }),
  body: v.object({ input: v.object({ tr_id: v.string(), tr_key: v.string() }) }),
});

interface Subscription {
  readonly trKey: string;
  readonly noticeKey: NoticeKey;
}

interface Session {
  readonly socket: WebSocket;
  readonly subscriptions: Map<string, Subscription>;
  /** A PINGPONG was sent and not yet answered (text echo or pong frame). */
  awaitingPong: boolean;
}

export interface NoticeHubOptions {
  readonly environment: KisSandboxEnvironment;
  readonly credentials: KisSandboxCredentials;
  readonly tokens: TokenStore;
  readonly exchange: ExchangeAccess;
  readonly clock: () => number;
  readonly pingIntervalMs: number;
}

export function createNoticeHub(options: NoticeHubOptions) {
  const sessions = new Set<Session>();
  const noticeTrId = options.environment === 'real' ? 'H0STCNI0' : 'H0STCNI9';
  const otherTrId = options.environment === 'real' ? 'H0STCNI9' : 'H0STCNI0';
  const accountDigits = options.credentials.account.replace('-', '');
  const branch = options.environment === 'paper' ? '00950' : '91252';

  function reply(
    session: Session,
    trId: string,
    trKey: string,
    body: Record<string, unknown>,
    encrypt = 'N',
  ): void {
    session.socket.send(JSON.stringify({ header: { tr_id: trId, tr_key: trKey, encrypt }, body }));
  }

  function replyError(session: Session, trId: string, trKey: string, code: string, msg: string) {
    reply(session, trId, trKey, { rt_cd: '1', msg_cd: code, msg1: msg });
  }

  function onText(session: Session, text: string): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      replyError(session, '', '', 'QTSV1008', 'JSON PARSING ERROR : invalid json');
      return;
    }
    if (
      typeof parsed === 'object' &&
      parsed !== null &&
      (parsed as { header?: { tr_id?: unknown } }).header?.tr_id === 'PINGPONG'
    ) {
      session.awaitingPong = false; // the client echoed the PINGPONG text
      return;
    }
    const result = v.safeParse(SubscribeMessage, parsed);
    if (!result.success) {
      replyError(session, '', '', 'QTSV1008', 'JSON PARSING ERROR : invalid header or body');
      return;
    }
    const { header, body } = result.output;
    const { tr_id: trId, tr_key: trKey } = body.input;
    if (!options.tokens.isApprovalKey(header.approval_key)) {
      replyError(session, trId, trKey, 'QTSV1011', 'invalid approval : NOT FOUND');
      return;
    }
    if (trId === otherTrId) {
      replyError(
        session,
        trId,
        trKey,
        'QTSV1012',
        `invalid tr_id : ${trId} is not served on ${options.environment === 'real' ? '실전투자' : '모의투자'} (use ${noticeTrId})`,
      );
      return;
    }
    if (trId !== noticeTrId) {
      replyError(
        session,
        trId,
        trKey,
        'QTSV1013',
        `invalid tr_id : the sandbox serves ${noticeTrId} only`,
      );
      return;
    }
    if (header.tr_type === '1' && trKey !== options.credentials.htsId) {
      // KIS: a notice subscription under another HTS id ends in "No close frame received"
      // (official sample README): the connection drops without a reply or a close frame.
      session.socket.terminate();
      return;
    }
    if (header.tr_type === '1') {
      if (session.subscriptions.has(trId)) {
        replyError(session, trId, trKey, 'OPSP0002', 'ALREADY IN SUBSCRIBE');
        return;
      }
      const noticeKey = newNoticeKey();
      session.subscriptions.set(trId, { trKey, noticeKey });
      reply(
        session,
        trId,
        trKey,
        {
          rt_cd: '0',
          msg_cd: 'OPSP0000',
          msg1: 'SUBSCRIBE SUCCESS',
          output: { iv: noticeKey.iv, key: noticeKey.key },
        },
        'Y',
      );
      return;
    }
    if (header.tr_type === '2') {
      if (!session.subscriptions.delete(trId)) {
        replyError(session, trId, trKey, 'OPSP0003', 'UNSUBSCRIBE ERROR(not found!)');
        return;
      }
      reply(session, trId, trKey, { rt_cd: '0', msg_cd: 'OPSP0001', msg1: 'UNSUBSCRIBE SUCCESS' });
      return;
    }
    replyError(session, trId, trKey, 'QTSV1014', 'invalid tr_type : use "1" or "2"');
  }

  function record(event: ExchangeEvent, acceptance?: '1' | '2'): NoticeRecord {
    const { order } = event;
    const isFill = event.kind === 'fill';
    const rctf = order.kind === 'cancel' ? '2' : order.kind === 'modify' ? '1' : '0';
    // An IOC / FOK remainder the exchange canceled: ACPT_YN "3", CNTG_QTY the canceled quantity.
    const exchangeCancel = event.kind === 'exchange-cancel';
    const qty = isFill
      ? (event.fillQuantity ?? 0)
      : exchangeCancel
        ? order.canceledQuantity
        : order.quantity;
    const price = isFill ? (event.fillPrice ?? 0) : (order.limitPrice ?? 0);
    return {
      CUST_ID: options.credentials.htsId,
      ACNT_NO: accountDigits,
      ODER_NO: order.orderNo,
      OODER_NO: order.originalOrderNo ?? '',
      SELN_BYOV_CLS: order.side === 'sell' ? '01' : '02',
      RCTF_CLS: rctf,
      ODER_KIND: ORD_DVSN_OF[order.division],
      ODER_COND: oderCond(order.division),
      STCK_SHRN_ISCD: order.symbol,
      CNTG_QTY: String(qty),
      CNTG_UNPR: String(Math.round(price)),
      STCK_CNTG_HOUR: kstTime(event.at),
      RFUS_YN: event.kind === 'reject' ? '1' : '0',
      CNTG_YN: isFill ? '2' : '1',
      ACPT_YN:
        acceptance ??
        (exchangeCancel ? '3' : event.kind === 'receipt' || event.kind === 'reject' ? '1' : '2'),
      BRNC_NO: order.branch || branch,
      ODER_QTY: String(order.quantity),
      ACNT_NAME: 'QTS샌드박스',
      ORD_COND_PRC: '0',
      ORD_EXG_GB: ordExgGb(order.venue),
      POPUP_YN: 'N',
      FILLER: '',
      CRDT_CLS: '',
      CRDT_LOAN_DATE: '',
      CNTG_ISNM40: productName(order.symbol),
      ODER_PRC: String(order.limitPrice ?? 0),
    };
  }

  function deliver(event: ExchangeEvent): void {
    if (event.account !== options.credentials.account) return;
    const targets: Array<{ session: Session; key: NoticeKey }> = [];
    for (const session of sessions) {
      const subscription = session.subscriptions.get(noticeTrId);
      if (subscription !== undefined && subscription.trKey === options.credentials.htsId) {
        targets.push({ session, key: subscription.noticeKey });
      }
    }
    if (targets.length === 0) return;
    const fault = options.exchange.takeNoticeFault();
    if (fault === 'drop') return;
    // A cancel or modify is notified twice, like KIS: its receipt (ACPT_YN 1), then its
    // confirmation (ACPT_YN 2). Both carry the quantity the request acted on.
    const revision = event.kind === 'cancel' || event.kind === 'modify';
    const receipt = revision ? record(event, '1') : null;
    const data = record(event);
    for (const { session, key } of targets) {
      if (receipt !== null) session.socket.send(noticeFrame(noticeTrId, receipt, key));
      const frame = noticeFrame(noticeTrId, data, key);
      session.socket.send(frame);
      if (fault === 'duplicate') session.socket.send(frame);
    }
  }

  const unsubscribe = options.exchange.onEvent(deliver);

  const pinger = setInterval(() => {
    for (const session of sessions) {
      if (session.awaitingPong) {
        // No echo and no pong frame within one interval: drop without a close frame, like KIS.
        session.socket.terminate();
        sessions.delete(session);
        continue;
      }
      session.awaitingPong = true;
      session.socket.send(
        JSON.stringify({ header: { tr_id: 'PINGPONG', datetime: kstCompact(options.clock()) } }),
      );
    }
  }, options.pingIntervalMs);
  pinger.unref();

  return {
    attach(socket: WebSocket): void {
      const session: Session = { socket, subscriptions: new Map(), awaitingPong: false };
      sessions.add(session);
      socket.on('message', (data, isBinary) => {
        if (isBinary) return;
        onText(session, data.toString());
      });
      socket.on('pong', () => {
        session.awaitingPong = false;
      });
      socket.on('close', () => sessions.delete(session));
      socket.on('error', () => sessions.delete(session));
    },
    close(): void {
      clearInterval(pinger);
      unsubscribe();
      for (const session of sessions) session.socket.terminate();
      sessions.clear();
    },
  };
}

export type NoticeHub = ReturnType<typeof createNoticeHub>;
