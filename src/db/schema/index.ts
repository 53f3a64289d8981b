export * from './units.js';
export * from './api-keys.js';
export * from './calendar.js';
export * from './procedures.js';
export * from './dossiers.js';
export * from './outbox.js';
export * from './jobs.js';
export * from './webhooks.js';
