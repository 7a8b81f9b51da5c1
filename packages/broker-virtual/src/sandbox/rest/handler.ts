// The KIS REST face: routes each request to its endpoint group (tokens, gateway checks, orders,
// inquiries, the sandbox's control endpoints) over the exchange.
import type { WireOutcome } from '../wire.js';
import { type RestContext, respond, restScope, type SandboxRequest, withFault } from './common.js';
import { controlEndpoint } from './control.js';
import { createGatewayCheck } from './gateway.js';
import { inquiryEndpoints } from './inquiries.js';
import { orderEndpoints } from './orders.js';
import { tokenEndpoints } from './tokens.js';

export function createRestHandler(context: RestContext) {
  const ctx = restScope(context);
  const check = createGatewayCheck(ctx);
  const { tokenP, revokeP, approval, hashkey } = tokenEndpoints(ctx);
  const { orderCash, orderRvsecncl } = orderEndpoints(ctx);
  const { inquireDailyCcld, inquirePsblRvsecncl, inquireBalance, inquirePsblOrder, inquirePrice } =
    inquiryEndpoints(ctx);
  const control = controlEndpoint(ctx);

  function uapi(request: SandboxRequest): WireOutcome {
    const checked = check(request);
    if (!checked.ok) return respond(checked.response);
    const { route, trId, fields } = checked;
    if (route.name === 'order-cash') return orderCash(trId, fields);
    if (route.name === 'order-rvsecncl') return orderRvsecncl(trId, fields);
    // A quote takes no scripted fault: faults are scripted for orders and their inquiries.
    if (route.name === 'inquire-price') return respond(inquirePrice(trId, fields));
    const operation =
      route.name === 'inquire-balance' || route.name === 'inquire-psbl-order'
        ? 'balance'
        : 'inquiry';
    const fault = ctx.exchange.takeFault(operation);
    return withFault(fault, trId, () => {
      switch (route.name) {
        case 'inquire-daily-ccld':
          return inquireDailyCcld(trId, request, fields);
        case 'inquire-psbl-rvsecncl':
          return inquirePsblRvsecncl(trId, request, fields);
        case 'inquire-balance':
          return inquireBalance(trId, request, fields);
        default:
          return inquirePsblOrder(trId, fields);
      }
    });
  }

  return {
    handle(request: SandboxRequest): WireOutcome {
      if (request.path.startsWith('/qts-sandbox/')) return respond(control(request));
      if (request.method === 'POST') {
        if (request.path === '/oauth2/tokenP') return respond(tokenP(request));
        if (request.path === '/oauth2/revokeP') return respond(revokeP(request));
        if (request.path === '/oauth2/Approval') return respond(approval(request));
        if (request.path === '/uapi/hashkey') return respond(hashkey(request));
      }
      return uapi(request);
    },
  };
}

export type RestHandler = ReturnType<typeof createRestHandler>;
