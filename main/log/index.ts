import type { LogLevel } from '../contract';

/**
 * How a protocol server logs: level, message, and the client it concerns; the session adds the scope
 * (dhcp, tftp, http).
 */
export type ScopedLog = (level: LogLevel, message: string, client?: string) => void;

export { RefusalSummary } from './refusal-summary';
export { fdIsJournal, isJournalStream, lineFormatter, withPriority, type LinePriority } from './journal';
