/**
 * The one rule for the name of a run or experiment folder: checked by the contract on every call
 * and by the Train view's forms before anything is sent. No imports, so the renderer can bundle it.
 */
export const RUN_NAME_PATTERN = /^[A-Za-z0-9._-]{1,80}$/;
export const RUN_NAME_RULE = 'a name is 1–80 letters, digits, dots, dashes or underscores';
