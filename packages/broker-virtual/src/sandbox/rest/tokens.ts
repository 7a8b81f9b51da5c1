// Token endpoints: /oauth2/tokenP, /oauth2/revokeP, /oauth2/Approval and /uapi/hashkey.
import { createHash } from 'node:crypto';
import * as v from 'valibot';
import { kstDateTime } from '../kst.js';
import { gatewayError, kisJson, tokenEndpointError, type WireResponse } from '../wire.js';
import type { RestContext, SandboxRequest } from './common.js';

const TokenBody = v.object({
  grant_type: v.optional(v.unknown()),
  appkey: v.optional(v.unknown()),
  appsecret: v.optional(v.unknown()),
  secretkey: v.optional(v.unknown()),
  token: v.optional(v.unknown()),
});

export function tokenEndpoints(ctx: RestContext) {
  function parseTokenBody(text: string): v.InferOutput<typeof TokenBody> | null {
    try {
      const parsed = v.safeParse(TokenBody, JSON.parse(text));
      return parsed.success ? parsed.output : null;
    } catch {
      return null;
    }
  }

  function tokenP(request: SandboxRequest): WireResponse {
    const body = parseTokenBody(request.bodyText);
    if (body === null) return tokenEndpointError(400, 'badJson');
    if (body.grant_type !== 'client_credentials') return tokenEndpointError(400, 'badGrantType');
    if (body.appkey !== ctx.credentials.appKey) return tokenEndpointError(403, 'badAppKey');
    if (body.appsecret !== ctx.credentials.appSecret)
      return tokenEndpointError(403, 'badAppSecret');
    const issued = ctx.tokens.issue(ctx.credentials.appKey);
    if (issued === null) return tokenEndpointError(403, 'tokenTooSoon');
    return kisJson(200, {
      access_token: issued.token,
      access_token_token_expired: kstDateTime(issued.expiresAt),
      token_type: 'Bearer',
      expires_in: Math.round(ctx.tokenLifetimeMs / 1000),
    });
  }

  function revokeP(request: SandboxRequest): WireResponse {
    const body = parseTokenBody(request.bodyText);
    if (body === null) return tokenEndpointError(400, 'badJson');
    if (body.appkey !== ctx.credentials.appKey) return tokenEndpointError(403, 'badAppKey');
    if (body.appsecret !== ctx.credentials.appSecret)
      return tokenEndpointError(403, 'badAppSecret');
    if (typeof body.token !== 'string' || !ctx.tokens.revoke(body.token, ctx.credentials.appKey)) {
      return tokenEndpointError(403, 'tokenInvalid');
    }
    return kisJson(200, { code: 200, message: '접근토큰 폐기에 성공하였습니다' });
  }

  function approval(request: SandboxRequest): WireResponse {
    const body = parseTokenBody(request.bodyText);
    if (body === null) return tokenEndpointError(400, 'badJson');
    if (body.grant_type !== 'client_credentials') return tokenEndpointError(400, 'badGrantType');
    if (body.appkey !== ctx.credentials.appKey) return tokenEndpointError(403, 'badAppKey');
    // KIS names the secret `secretkey` here (not `appsecret`).
    if (body.secretkey !== ctx.credentials.appSecret) {
      return tokenEndpointError(403, 'badAppSecret');
    }
    return kisJson(200, { approval_key: ctx.tokens.issueApprovalKey() });
  }

  /** Optional hashkey (docs/kis-protocol.md §2.4): appkey/appsecret headers, echoes the body with HASH. */
  function hashkey(request: SandboxRequest): WireResponse {
    if (request.header('appkey') !== ctx.credentials.appKey) return gatewayError('badAppKey', null);
    if (request.header('appsecret') !== ctx.credentials.appSecret) {
      return gatewayError('badAppSecret', null);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(request.bodyText);
    } catch {
      return gatewayError('badJson', null);
    }
    const hash = createHash('sha256').update(request.bodyText, 'utf8').digest('base64');
    return kisJson(200, { JsonBody: parsed, HASH: hash });
  }

  return { tokenP, revokeP, approval, hashkey };
}
