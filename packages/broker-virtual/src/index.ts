// @qts/broker-virtual: the virtual exchange core, the in-process adapter and the KIS sandbox.
// Subpaths load less: `@qts/broker-virtual/core` (core + adapter, without the sandbox's HTTP and
// WebSocket servers and ws) and `@qts/broker-virtual/sandbox` (the sandbox).

export * from './core-entry.js';
export * from './sandbox-entry.js';
