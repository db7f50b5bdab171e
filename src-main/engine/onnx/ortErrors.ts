/**
 * onnxruntime's error messages in words a user can act on. Its own text starts with the file's
 * path, a C++ source location and signature, and often "This is an invalid model." before the
 * part that says what is wrong; that part is what the user needs.
 */

const TRANSLATIONS: [RegExp, (m: RegExpExecArray) => string][] = [
  [/No Op registered for (\S+) with domain_version of (\d+)/, (m) => `it uses the operator '${m[1]}', which onnxruntime does not have at opset ${m[2]}`],
  [/No opset import for domain '([^']*)'/, (m) => `it uses operators of the domain '${m[1]}' without importing that domain`],
  [/not acyclic/i, () => 'its graph has a cycle'],
  [/Opset (\d+) is under development.*?is till opset (\d+)/s, (m) => `it is stamped with opset ${m[1]}, and onnxruntime supports opsets up to ${m[2]}: export it with an official opset`],
  [/Unsupported model IR version: (\d+), max supported IR version: (\d+)/, (m) => `its IR version ${m[1]} is newer than onnxruntime reads (up to ${m[2]})`],
  [/Node input '([^']*)' is not a graph input, initializer, or output of a previous node/, (m) => `a node reads '${m[1]}', which no input, initializer or earlier node provides`],
];

/** What onnxruntime's error `message` says is wrong, as one clause without its internals. */
export function onnxRuntimeReason(message: string): string {
  for (const [re, say] of TRANSLATIONS) {
    const m = re.exec(message);
    if (m) return say(m);
  }
  const text = message
    .split('\n')[0]
    .replace(/^Load model from .*? failed:/, '')
    // the source location and C++ signature ("/onnxruntime_src/…:202 onnxruntime::Model::Model(…) ")
    .replace(/^\/\S*onnxruntime_src\S*:\d+ (?:\S+ )?\S*?\(.*?\)(?: const)? (?=[A-Z])/, '')
    .replace(/^\[ONNXRuntimeError\] : \d+ : \w+ : /, '')
    .replace(/^(?:This is an invalid model|Invalid model)\. /, '')
    .replace(/\s*(?:Error )?(?=\S)/, '');
  const first = text.split(/(?<=\.) /)[0].trim();
  return first.length > 0 ? first.replace(/\.$/, '') : 'onnxruntime gave no reason';
}
