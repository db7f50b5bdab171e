/** Which sweep folder the Sweeps view should open next (set by the Train view's sweep panel). */
import { defineStore } from 'pinia';
import { ref } from 'vue';

export const useSweeps = defineStore('sweeps', () => {
  const toOpen = ref<string | null>(null);
  return { toOpen };
});
