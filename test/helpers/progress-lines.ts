/** Reading the progress a CLI child wrote with `--log-format json`: one JSON object a line. */
import type {ProgressLine} from '../../src/cli/progress/line-renderer.js'

export type {ProgressLine}

/** Every line of `text` as a progress line (a line that is not JSON fails the test, naming it). */
export function progressLines(text: string): ProgressLine[] {
  return text
    .trim()
    .split('\n')
    .map((l) => {
      try {
        return JSON.parse(l) as ProgressLine
      } catch {
        throw new Error(`not a JSON line: ${l}`)
      }
    })
}
