// Progress on stderr, so that stdout carries only the result table: one line per phase, and a running count
// for long phases (rewritten in place on a terminal, a line every 10 % otherwise).

const tty = process.stderr.isTTY === true;

export function phase(text: string): void {
  process.stderr.write(`[bench] ${text}\n`);
}

export interface Counter {
  tick(done: number): void;
  end(note?: string): void;
}

export function counter(label: string, total: number): Counter {
  let lastDecile = -1;
  let lastDraw = 0;
  const started = Date.now();
  const line = (done: number) => `[bench]   ${label}: ${done}/${total}`;
  return {
    tick(done) {
      if (tty) {
        const now = Date.now();
        if (now - lastDraw < 100 && done < total) return;
        lastDraw = now;
        process.stderr.write(`\r${line(done)}\x1b[K`);
        return;
      }
      const decile = Math.floor((done / total) * 10);
      if (decile > lastDecile) {
        lastDecile = decile;
        process.stderr.write(`${line(done)}\n`);
      }
    },
    end(note) {
      const took = ((Date.now() - started) / 1000).toFixed(1);
      process.stderr.write(`${tty ? '\r' : ''}${line(total)} in ${took} s${note ? ` (${note})` : ''}${tty ? '\x1b[K' : ''}\n`);
    },
  };
}
