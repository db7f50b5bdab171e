/** WorkbenchApi over the Electron preload bridge (`window.workbench`). */
import type { WorkbenchBridge } from '../../../src-main/preload/api';
import { WorkbenchError, type Channel, type Request, type Response, type WorkbenchApi } from './types';

/** Electron wraps errors thrown in the main process as "Error invoking remote method '…': Error: <message>". */
function unwrap(err: unknown): WorkbenchError {
  const text = err instanceof Error ? err.message : String(err);
  const m = /^Error invoking remote method '[^']*': (?:\w*Error: )?(.*)$/s.exec(text);
  const message = m ? m[1] : text;
  const kind = /^\[(invalid|not-found|forbidden|failed)\] /.exec(message);
  return new WorkbenchError(kind ? message.slice(kind[0].length) : message, kind ? kind[1] : 'failed');
}

export function ipcApi(bridge: WorkbenchBridge): WorkbenchApi {
  return {
    kind: 'electron',
    async call<C extends Channel>(channel: C, req: Request<C>): Promise<Response<C>> {
      try {
        return await (bridge.calls[channel] as (r: Request<C>) => Promise<Response<C>>)(req);
      } catch (err) {
        throw unwrap(err);
      }
    },
    onJobEvent: (listener) => bridge.onJobEvent(listener),
    openDialog: () => bridge.desktop.openDialog(),
    pathForFile: (file) => bridge.pathForFile(file),
    recent: () => bridge.desktop.recent(),
    remember: () => {
      // the main process records every path it opens
    },
    saveFile: (name, data, encoding) => bridge.desktop.saveFile({ defaultName: name, data, encoding }),
  };
}
