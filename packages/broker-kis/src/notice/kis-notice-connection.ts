// One WebSocket to KIS for execution notices: subscribe, decrypt, answer PINGPONG, report loss.
import {
  BrokerRejectedError,
  OutcomeUnknownError,
  type QtsError,
  RouteUnavailableError,
} from '@qts/order-contract';
import WebSocket from 'ws';
import type { KisLogger } from '../internal/auth-phase2-api.js';
import { kisRejectionCode } from '../kis-error-codes.js';
import {
  buildKisNoticeSubscribeMessage,
  createKisNoticeBatchDecrypter,
  type KisNoticeBatchDecrypter,
  type KisNoticeRecord,
  parseKisNoticeControl,
  parseKisNoticeRecords,
  splitKisNoticeFrame,
} from '../wire/kis-ccnl-notice-api.js';

/** Creates the WebSocket (tests may inject one). */
export type KisWebSocketFactory = (url: string) => WebSocket;

/** Options of one notice connection. */
export interface KisNoticeConnectionOptions {
  readonly url: string;
  readonly approvalKey: string;
  readonly trId: string;
  readonly htsId: string;
  readonly webSocketFactory: KisWebSocketFactory;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal | undefined;
  readonly logger?: KisLogger | undefined;
  /** The records of one data frame, decrypted and parsed. */
  readonly onRecords: (records: KisNoticeRecord[]) => void;
  /** The socket closed without `close()` being called. */
  readonly onLost: (reason: string) => void;
}

/** An open, subscribed notice connection. */
export interface KisNoticeConnection {
  /** Unsubscribes and closes; no `onLost` afterwards. Idempotent. */
  close(): Promise<void>;
}

/**
 * Decodes data frames that arrived together: splits each, drops (with a warning) what is not a
 * notice of `trId` or cannot be decrypted or parsed, decrypts the rest with one batch call and
 * hands each frame's records on, in arrival order.
 *
 * @param texts The frames' texts, in arrival order.
 * @param context The subscription's TR id, its batch decrypter and where warnings go.
 * @param onRecords Called once per decoded frame.
 */
export function decodeKisNoticeFrames(
  texts: readonly string[],
  context: {
    readonly trId: string;
    readonly decrypt: KisNoticeBatchDecrypter;
    readonly log: KisLogger;
  },
  onRecords: (records: KisNoticeRecord[]) => void,
): void {
  const counts: number[] = [];
  const payloads: string[] = [];
  for (const text of texts) {
    const frame = splitKisNoticeFrame(text);
    if (frame === null || frame.trId !== context.trId) continue;
    if (!frame.encrypted) {
      context.log({ level: 'warn', message: 'KIS notices: unencrypted notice frame dropped' });
      continue;
    }
    counts.push(frame.count);
    payloads.push(frame.payload);
  }
  if (payloads.length === 0) return;
  const plains = context.decrypt(payloads);
  // A hand-over that throws (a bug downstream) must not cost the frames after it: each frame is
  // handed on, then the first failure is thrown, as it would have been from its own event.
  let failed = false;
  let failure: unknown;
  for (let k = 0; k < counts.length; k += 1) {
    const plain = plains[k];
    if (plain === null || plain === undefined) {
      context.log({
        level: 'warn',
        message: 'KIS notices: a notice could not be decrypted; dropped',
      });
      continue;
    }
    const parsed = parseKisNoticeRecords(plain, counts[k] as number);
    if ('error' in parsed) {
      context.log({ level: 'warn', message: `KIS notices: notice dropped (${parsed.error})` });
      continue;
    }
    try {
      onRecords(parsed.records);
    } catch (error) {
      if (!failed) {
        failed = true;
        failure = error;
      }
    }
  }
  if (failed) throw failure;
}

/**
 * Opens one WebSocket, subscribes to the notice TR keyed by the HTS id, keeps the AES key/iv of
 * the reply and resolves once subscribed. One attempt; no reconnect (the runtime decides).
 *
 * @param options Where, with what key, and where events go.
 * @returns The connection.
 * @throws {RouteUnavailableError} when the socket cannot be opened or closes before the reply.
 * @throws {BrokerRejectedError} when KIS refuses the subscription (its msg_cd kept).
 */
export function openKisNoticeConnection(
  options: KisNoticeConnectionOptions,
): Promise<KisNoticeConnection> {
  const log = options.logger ?? (() => {});
  return new Promise<KisNoticeConnection>((resolve, reject) => {
    if (options.signal?.aborted === true) {
      reject(
        new RouteUnavailableError('KIS notices: aborted before connecting', { code: 'ABORTED' }),
      );
      return;
    }
    let socket: WebSocket;
    try {
      socket = options.webSocketFactory(options.url);
    } catch (error) {
      reject(
        new RouteUnavailableError(`KIS notices: could not open ${options.url}`, { cause: error }),
      );
      return;
    }
    let decrypt: KisNoticeBatchDecrypter | null = null;
    /**
     * Data frames received and not yet decoded. The frames of one socket read arrive as
     * back-to-back 'message' events in one turn of the event loop; they are decoded together
     * right after it (one call into the cipher for all of them), in arrival order.
     */
    let queued: string[] = [];
    let ready = false;
    let closing = false;
    let settled = false;

    const timer = setTimeout(() => {
      fail(
        new RouteUnavailableError(`KIS notices: no subscribe reply within ${options.timeoutMs} ms`),
      );
    }, options.timeoutMs);
    const onAbort = () => {
      fail(
        new RouteUnavailableError('KIS notices: aborted before subscribing', { code: 'ABORTED' }),
      );
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });

    function finishSetup(): void {
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
    }

    function fail(error: QtsError): void {
      if (settled) return;
      finishSetup();
      closing = true;
      socket.terminate();
      reject(error);
    }

    const connection: KisNoticeConnection = {
      close: async () => {
        if (closing) return;
        closing = true;
        if (socket.readyState === WebSocket.OPEN) {
          try {
            socket.send(
              buildKisNoticeSubscribeMessage({
                approvalKey: options.approvalKey,
                trId: options.trId,
                htsId: options.htsId,
                subscribe: false,
              }),
            );
          } catch {
            // closing anyway
          }
        }
        await new Promise<void>((done) => {
          if (socket.readyState === WebSocket.CLOSED) {
            done();
            return;
          }
          const force = setTimeout(() => {
            socket.terminate();
            done();
          }, 1_000);
          socket.once('close', () => {
            clearTimeout(force);
            done();
          });
          socket.close(1000);
        });
      },
    };

    /** Decodes the queued data frames, in order, and hands each frame's records on. */
    function flush(): void {
      if (queued.length === 0 || decrypt === null) return;
      const texts = queued;
      queued = [];
      decodeKisNoticeFrames(texts, { trId: options.trId, decrypt, log }, options.onRecords);
    }

    socket.on('open', () => {
      socket.send(
        buildKisNoticeSubscribeMessage({
          approvalKey: options.approvalKey,
          trId: options.trId,
          htsId: options.htsId,
          subscribe: true,
        }),
      );
    });

    socket.on('message', (data: WebSocket.RawData, isBinary: boolean) => {
      const text = isBinary
        ? ''
        : Array.isArray(data)
          ? Buffer.concat(data).toString('utf8')
          : Buffer.isBuffer(data)
            ? data.toString('utf8')
            : Buffer.from(data).toString('utf8');
      if (text.startsWith('{')) {
        const control = parseKisNoticeControl(text);
        if (control.kind === 'pingpong') {
          // Echo the same text back as a normal message (python-kis; docs/kis-protocol.md §8).
          socket.send(text);
          return;
        }
        if (control.kind === 'invalid') {
          log({
            level: 'warn',
            message: 'KIS notices: unreadable control message',
            issues: control.issues,
          });
          return;
        }
        if (control.trId !== options.trId) return;
        if (ready) {
          log({ level: 'info', message: 'KIS notices: control reply', code: control.code });
          return;
        }
        if (!control.ok) {
          fail(
            new BrokerRejectedError(
              kisRejectionCode(control.code),
              `KIS notices: subscription refused (${control.code}): ${control.message}`,
              {
                brokerCode: control.code === '' ? null : control.code,
                brokerMessage: control.message,
              },
            ),
          );
          return;
        }
        if (control.cipher === null) {
          fail(
            new OutcomeUnknownError(
              'KIS notices: the subscribe reply carried no AES key/iv (header.encrypt "Y", body.output.key/iv)',
              { code: 'INVALID_BROKER_RESPONSE' },
            ),
          );
          return;
        }
        decrypt = createKisNoticeBatchDecrypter(control.cipher);
        ready = true;
        finishSetup();
        resolve(connection);
        return;
      }
      if (!ready || decrypt === null) return;
      queued.push(text);
      if (queued.length === 1) queueMicrotask(flush);
    });

    socket.on('error', (error: Error) => {
      if (!settled) {
        fail(
          new RouteUnavailableError(`KIS notices: could not connect to ${options.url}`, {
            cause: error,
          }),
        );
        return;
      }
      log({ level: 'warn', message: `KIS notices: socket error (${error.message})` });
    });

    socket.on('close', (code: number, reason: Buffer) => {
      if (!settled) {
        fail(
          new RouteUnavailableError(
            `KIS notices: the socket closed before subscribing (${code}); KIS drops the connection this way when the HTS id is not the account's`,
            {
              hint: 'Check the HTS id (QTS_KIS_HTS_ID): it must be the KIS user id of this account.',
            },
          ),
        );
        return;
      }
      // Frames received before the close are handed on before it is reported; the loss is
      // reported even when handing them on fails (the failure is thrown after it).
      let failed = false;
      let failure: unknown;
      try {
        flush();
      } catch (error) {
        failed = true;
        failure = error;
      }
      if (!closing) {
        closing = true;
        const text = reason.toString('utf8');
        options.onLost(`the KIS notice socket closed (${code}${text === '' ? '' : `: ${text}`})`);
      }
      if (failed) throw failure;
    });
  });
}
