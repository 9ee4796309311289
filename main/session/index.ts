/** The session: the engine's one owner of state, behind the contract's BootdropApi. */
export { Session, type SessionOptions } from './session';
export { SessionError, toServeError, type Audience } from './errors';
export type {
  EngineServices,
  SourceMedium,
  PlannedSource,
  LayoutSource,
  LayoutResult,
  LayoutContext,
  DhcpStart,
  RunningDhcp,
  RunningServer,
  ServerStart,
  Log,
} from './services';
export type { DhcpSighting } from './clients';
export { roleOfFile, type FileRole } from './stage';
export { pruneMenu } from './menu';
export { createEngineServices } from './engine-services';
export { Narrator, describeMode, formatBytes, formatRate } from './narrate';
export { defaultLoadersDir } from '../boot';
export { browse } from './browse';
export { publishRefusal, systemFolderOf, SYSTEM_FOLDERS } from './publish-policy';
