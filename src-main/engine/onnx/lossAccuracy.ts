/**
 * The loss and accuracy of a model on a data set. A file with no imports, so that the API
 * contract (and through it the renderer's type check, which cannot read Node code) shares it.
 */
export interface LossAccuracy {
  loss: number;
  accuracy: number;
}
