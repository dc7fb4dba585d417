// Reading a data file into columns as `backprop train` does: node bench/systems/data.mjs FILE
// Prints seconds to read and the process's peak RSS.
import { readDataFile } from '../../dist/node/read.js';

const start = performance.now();
const frame = await readDataFile(process.argv[2]);
const seconds = (performance.now() - start) / 1000;
console.log(JSON.stringify({ rows: frame.rows, columns: frame.columns.length, seconds, peakRss: process.resourceUsage().maxRSS * 1024 }));
