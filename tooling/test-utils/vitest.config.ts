import { defineQtsConfig } from '@qts/vitest-config';

export default defineQtsConfig();
