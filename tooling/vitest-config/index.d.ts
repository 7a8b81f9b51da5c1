import type { UserConfig } from 'vitest/config';

/** Creates a package's vitest config from the shared QTS settings plus overrides. */
export declare function defineQtsConfig(overrides?: UserConfig): UserConfig;
