/**
 * The engine's log lines as they arrive (`log` events), in a bounded ring so a long session cannot
 * grow the page without limit. The full log stays with the engine (exportLog).
 */
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { LogEntry, LogLevel } from '../../../main/contract/index';
import { levelAtLeast } from '../format';

const LOG_CAPACITY = 2000;

export interface LogLine extends LogEntry {
  seq: number;
}

export const useLogStore = defineStore('log', () => {
  const capacity = ref(LOG_CAPACITY);
  // Lines are immutable: a shallow ref replaced per batch is cheaper than deep reactivity on thousands of objects.
  const lines = shallowRef<LogLine[]>([]);
  const dropped = ref(0);
  const minLevel = ref<LogLevel>('info');
  const text = ref('');
  let seq = 0;

  const filtered = computed(() => {
    const needle = text.value.trim().toLowerCase();
    return lines.value.filter(
      (l) =>
        levelAtLeast(l.level, minLevel.value) &&
        (!needle || `${l.scope} ${l.client ?? ''} ${l.message}`.toLowerCase().includes(needle)),
    );
  });

  function append(entry: LogEntry): void {
    const next = [...lines.value, { ...entry, seq: seq++ }];
    const over = next.length - capacity.value;
    if (over > 0) {
      next.splice(0, over);
      dropped.value += over;
    }
    lines.value = next;
  }

  function clear(): void {
    lines.value = [];
    dropped.value = 0;
  }

  return { capacity, lines, dropped, minLevel, text, filtered, append, clear };
});
