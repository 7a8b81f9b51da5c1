// The parts of @qts/auth-phase2 this package uses, in one place.
import type { KisAuth } from '@qts/auth-phase2';

export type { KisAuth, KisTokenStatus } from '@qts/auth-phase2';

export {
  type KisCredentials,
  type KisEndpoints,
  type KisEnvironment,
  type KisLogger,
  type KisRequest,
  type KisResponse,
  type KisTransport,
  kisTrId,
} from '@qts/auth-phase2';

/** The part of auth-phase2's `KisAuth` the adapter uses: the WebSocket approval key. */
export type KisApprovalKeySource = Pick<KisAuth, 'getApprovalKey'>;
