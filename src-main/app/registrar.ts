/**
 * The one place IPC handlers are registered. Every channel the renderer may invoke goes through
 * `registerHandlers`, which
 *  - drops calls that do not come from the app's own window main frame showing the app's own page
 *    ('[forbidden] …'),
 *  - runs the handler (API calls validate their payload through `dispatch`, desktop calls through
 *    their own schema), and
 *  - turns every failure into `Error('[kind] sentence')`, which the renderer's IPC client
 *    (src-renderer/src/api/ipc.ts) unwraps into a WorkbenchError with that kind and sentence.
 * Channels absent from the table are never registered, so invoking them fails in Electron itself.
 */
import { ApiError, CHANNELS, type Channel } from '../api/contract.js';
import { dispatch, type createHandlers } from '../api/handlers.js';
import { apiChannel } from '../preload/api.js';
import { isAppUrl } from './window.js';

/** What the registrar needs of a frame (Electron's WebFrameMain). */
export interface FrameLike {
  readonly url: string;
  readonly parent: FrameLike | null;
  readonly processId?: number;
  readonly routingId?: number;
}

/** What the registrar needs of an invoke event (Electron's IpcMainInvokeEvent). */
export interface InvokeEventLike {
  readonly sender: unknown;
  readonly senderFrame: FrameLike | null;
}

/** What the registrar needs of ipcMain. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: InvokeEventLike, ...args: unknown[]) => unknown): void;
}

/** Decides whether a call comes from the app's own window: its main frame, showing the app. */
export type SenderCheck = (frame: FrameLike | null, sender: unknown) => boolean;

/** One IPC handler: the (unvalidated) payload in, a structured-cloneable answer out. */
export type IpcHandler = (payload: unknown, event: InvokeEventLike) => unknown;
export type HandlerTable = Readonly<Record<string, IpcHandler>>;

/** Turns any failure into the Error the renderer unwraps: '[kind] sentence'. */
export function toIpcError(err: unknown): Error {
  if (err instanceof ApiError) return new Error(`[${err.kind}] ${err.message}`);
  const message = err instanceof Error ? err.message : String(err);
  if (/^\[(invalid|not-found|forbidden|failed)\] /.test(message)) return new Error(message);
  return new Error(`[failed] ${message}`);
}

/**
 * Registers every channel of `table` on `ipcMain`; each call is first checked with `isTrusted`
 * (the sender frame and web contents), then handled. Returns the channels registered.
 */
export function registerHandlers(ipcMain: IpcMainLike, isTrusted: SenderCheck, table: HandlerTable): string[] {
  const channels = Object.keys(table);
  for (const channel of channels) {
    const handler = table[channel];
    ipcMain.handle(channel, async (event: InvokeEventLike, payload?: unknown) => {
      let trusted: boolean;
      try {
        trusted = isTrusted(event.senderFrame, event.sender) === true;
      } catch {
        trusted = false;
      }
      if (!trusted) {
        const from = event.senderFrame ? event.senderFrame.url || 'an unknown page' : 'a frame that is gone';
        throw new Error(`[forbidden] ${channel} was called from ${from}, not from the workbench window`);
      }
      try {
        return await handler(payload, event);
      } catch (err) {
        throw toIpcError(err);
      }
    });
  }
  return channels;
}

/** The window contents the app trusts, as far as the sender check needs them. */
export interface TrustedContents {
  readonly mainFrame: FrameLike;
  isDestroyed?(): boolean;
}

/**
 * The sender check of the app: the call must come from `contents()` (the app window's web
 * contents), from its main frame (not an iframe), and that frame must show the app's page
 * (`appUrl()`: the built renderer's file:// URL or the dev server's URL).
 */
export function trustedSender(contents: () => TrustedContents | null, appUrl: () => string): SenderCheck {
  return (frame, sender) => {
    const own = contents();
    if (!own || own.isDestroyed?.()) return false;
    if (sender !== own) return false;
    if (!frame || frame.parent !== null) return false;
    const main = own.mainFrame;
    const sameFrame = frame === main || (frame.processId !== undefined && frame.routingId !== undefined && frame.processId === main.processId && frame.routingId === main.routingId);
    if (!sameFrame) return false;
    return isAppUrl(frame.url, appUrl());
  };
}

type Handlers = ReturnType<typeof createHandlers>;

/**
 * The API calls as IPC handlers, on channels 'api:<call>': each validates its payload and runs
 * through `dispatch`. `after` sees each call's answer (the app records opened paths with it).
 */
export function apiTable(handlers: Handlers, after?: (channel: Channel, request: unknown, response: unknown) => void): Record<string, IpcHandler> {
  const table: Record<string, IpcHandler> = {};
  for (const c of CHANNELS) {
    table[apiChannel(c)] = async (payload) => {
      const response = await dispatch(handlers, c, payload);
      if (after) {
        try {
          after(c, payload, response);
        } catch {
          // bookkeeping (the recent list) never fails a call
        }
      }
      return response;
    };
  }
  return table;
}

