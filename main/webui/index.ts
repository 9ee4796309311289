/** The browser UI server (`bootdrop serve --ui`): static renderer + WebSocket bridge, loopback only. */
export { startWebUi, contentSecurityPolicy, UiNotBuiltError, type WebUi, type WebUiOptions } from './server';
export { WireBridge, type BridgeOptions } from './bridge';
export { nodeValidationEnv } from './validation-env';
