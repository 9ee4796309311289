/** The session: the engine's one owner of state, behind the contract's BootdropApi. */
export { Session, type SessionOptions } from './session';
export { SessionError, type Audience } from './errors';
export type { EngineServices, SourceMedium, DhcpStart, ServerStart } from './services';
export { createEngineServices } from './engine-services';
export { Narrator, describeMode } from './narrate';
export { defaultLoadersDir } from '../boot';
export { publishRefusal } from './publish-policy';
