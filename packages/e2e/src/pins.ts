// Frozen contracts pinned by content hash (Gate D 4).
//
// The Phase 2 contract (@qts/auth-phase2) must not change in Phase 3. Its API report
// (packages/auth-phase2/etc/auth-phase2.api.md) is checked twice by `pnpm e2e`: it must match a
// fresh build (api-extractor, check mode) AND its sha256 must equal the pin below. Changing the
// contract therefore needs a deliberate edit in two places that both show up in review:
//   1. regenerate the report in packages/auth-phase2 (`pnpm --filter @qts/auth-phase2 api:update`)
//      and commit it;
//   2. update the pin here to the new hash, printed by
//      `sha256sum packages/auth-phase2/etc/auth-phase2.api.md` (or shown by the failing test),
//      with a commit message saying why the frozen contract changed.

/**
 * sha256 (hex) of packages/auth-phase2/etc/auth-phase2.api.md, the frozen Phase 2 contract.
 * Pinned 2026-11-25 from the report committed in 32a5dbe (auth-phase2 unchanged since; broker-kis
 * and the runner had landed).
 */
export const AUTH_PHASE2_API_REPORT_SHA256 =
  'ca87df605d568a6e3d6941c60134cae16a8df23c5430b228d3a3b8844c9653a0';
