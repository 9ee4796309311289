/** The browser UI server (`bootdrop serve --ui`): static renderer + WebSocket bridge, loopback only. */
export { startWebUi, type WebUi } from './server';
export { nodeValidationEnv } from './validation-env';
