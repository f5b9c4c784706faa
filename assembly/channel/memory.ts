/** First free byte after static data: where the JS-side arena starts allocating. */
export function heapBase(): usize {
  return __heap_base;
}
