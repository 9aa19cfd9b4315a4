/**
 * Progress on a terminal: one live line per stream, redrawn in place a few times a second (the
 * time and the rate-limit countdown move even while a page is awaited); a finished stream keeps
 * its final figures and time.
 */
import type {ProgressState} from './stream-state.js'
import {progressText} from './format.js'

const REDRAW_MS = 250

export interface TtyRendererOptions {
  write(text: string): void
  /** terminal width: lines are cut to it so that a redraw never wraps */
  columns(): number
}

/** Draw `state` in place until `stop()`, which leaves the last frame on screen; `print` puts a line of text above the frame. */
export function ttyRenderer(state: ProgressState, opts: TtyRendererOptions): {print(line: string): void; stop(): void} {
  let drawn = 0
  const draw = (): void => {
    const width = Math.max(20, opts.columns() - 1)
    const lines = state.views().map((v) => cut(progressText(v), width))
    let out = drawn > 0 ? `\u001b[${drawn}F` : '' // back to the first line of the previous frame
    for (const line of lines) out += `\u001b[2K${line}\n`
    drawn = lines.length
    if (out) opts.write(out)
  }
  opts.write('\u001b[?25l') // hide the cursor while drawing
  const timer = setInterval(draw, REDRAW_MS)
  timer.unref()
  return {
    print(line) {
      // clear the frame, write the line where it was, draw the frame again below it
      opts.write(`${drawn > 0 ? `\u001b[${drawn}F\u001b[0J` : ''}${line}\n`)
      drawn = 0
      draw()
    },
    stop() {
      clearInterval(timer)
      draw()
      opts.write('\u001b[?25h')
    },
  }
}

function cut(line: string, width: number): string {
  return line.length > width ? `${line.slice(0, width - 1)}…` : line
}
