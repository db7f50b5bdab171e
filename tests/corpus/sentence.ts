/** What "one clear sentence" means for the corpus: one line, no internal message. */
export const INTERNAL = [
  /\n\s*at /, // a stack frame
  /Cannot read propert/i,
  /Invalid typed array length/i,
  /unexpected error/i,
  /\[[EWI] :?onnxruntime/i, // onnxruntime's log lines
  /onnxruntime::|OrtException|ORT_/,
  /Unexpected token|in JSON at position|is not valid JSON:|Unexpected end of JSON/, // raw JSON.parse text
  /undefined is not|is not a function|is not iterable|Maximum call stack/,
  /TOPSECRET|hunter2/, // a file's content echoed
  /RangeError: |TypeError: |Error: Error/,
  /\bundefined\b/, // a missing field printed as JavaScript's value
  /9007199254740991/, // zod's integer bound, not the call's
  /This is an invalid model|\*guarantees\*/, // onnxruntime's text untranslated
  /\bE(?:NOENT|ACCES|PERM|NOSPC|IO|ROFS|NOTDIR|ISDIR|EXIST|INVAL)\b/, // a bare errno code instead of what it means
];

/** Why `message` is not one clear sentence, or null when it is. */
export function sentenceProblem(message: unknown): string | null {
  if (typeof message !== 'string') return `not a string: ${String(message)}`;
  const text = message.trim();
  if (text.length < 10) return `too short: '${text}'`;
  if (text.includes('\n')) return `more than one line: ${JSON.stringify(text)}`;
  if (text.length > 600) return `longer than 600 characters`;
  for (const re of INTERNAL) if (re.test(text)) return `internal message (${re}): ${text}`;
  return null;
}
