export * from './units.js';
export * from './api-keys.js';
export * from './calendar.js';
