/**
 * The bounds of a sweep started from the views, checked by the contract on every call and by the
 * Train view's sweep form before anything is sent. No imports, so the renderer can bundle it.
 */
export const MAX_SWEEP_RUNS = 2_000;
export const MAX_GRID_PARAMETERS = 2;
export const MAX_GRID_VALUES = 20;
export const MAX_SWEEP_SETTINGS = 32;
/** a setting's path: phases.0.steps, task.nTrain, lr */
export const SETTING_PATH = /^[A-Za-z][A-Za-z0-9]{0,31}(\.[A-Za-z0-9]{1,32}){0,3}$/;
/** a grid value as written (it names a folder): 1e-3, 500, true */
export const GRID_VALUE = /^[A-Za-z0-9.+-]{1,32}$/;
