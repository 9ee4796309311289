/**
 * Errors as the UI shows them: what went wrong and, when known, what to do about it. Requests can
 * fail over the WebSocket bridge (a WireError) or over Electron IPC (an Error whose message Electron
 * prefixes with "Error invoking remote method …"); both end up as a `Problem`.
 */
export interface Problem {
  code: string;
  message: string;
  remedy?: string;
}

export class ApiError extends Error implements Problem {
  readonly code: string;
  readonly remedy?: string;
  constructor(problem: Problem) {
    super(problem.message);
    this.name = 'ApiError';
    this.code = problem.code;
    if (problem.remedy) this.remedy = problem.remedy;
  }
}

// Electron's ipcRenderer.invoke wraps the main-process error: "Error invoking remote method 'x': Error: msg".
const IPC_PREFIX = /^Error invoking remote method '[^']*':\s*/;
const ERROR_NAME_PREFIX = /^[A-Za-z]*Error:\s*/;

export function toProblem(e: unknown): Problem {
  if (typeof e === 'object' && e !== null) {
    const o = e as Record<string, unknown>;
    let message = typeof o.message === 'string' ? o.message : String(e);
    const wrapped = IPC_PREFIX.test(message);
    message = message.replace(IPC_PREFIX, '');
    if (wrapped) message = message.replace(ERROR_NAME_PREFIX, '');
    const fromJson = parseJsonProblem(message);
    if (fromJson) return fromJson;
    const problem: Problem = { code: typeof o.code === 'string' ? o.code : 'EUNKNOWN', message };
    if (typeof o.remedy === 'string' && o.remedy) problem.remedy = o.remedy;
    return problem;
  }
  return { code: 'EUNKNOWN', message: String(e) };
}

/** A main process may serialise { code, message, remedy } into the message to survive IPC. */
function parseJsonProblem(text: string): Problem | null {
  if (!text.startsWith('{')) return null;
  try {
    const o = JSON.parse(text) as Record<string, unknown>;
    if (typeof o.message !== 'string') return null;
    const problem: Problem = { code: typeof o.code === 'string' ? o.code : 'EUNKNOWN', message: o.message };
    if (typeof o.remedy === 'string' && o.remedy) problem.remedy = o.remedy;
    return problem;
  } catch {
    return null;
  }
}
