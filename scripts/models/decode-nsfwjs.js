// Decodes nsfwjs' bundled MobileNetV2 (UMD .min.js files of the npm package) into the tfjs files
// tf.loadLayersModel reads: model.json (modelTopology + weightsManifest) and the raw binary shard(s).
// Uses only node built-ins and the package's own files. Usage: node decode-nsfwjs.js <package dir> <out dir>
'use strict';
const fs = require('fs');
const path = require('path');

const [pkg, out] = process.argv.slice(2);
if (!pkg || !out) {
  console.error('usage: node decode-nsfwjs.js <extracted nsfwjs package dir> <out dir>');
  process.exit(2);
}
const dir = path.join(pkg, 'dist', 'models', 'mobilenet_v2');
// model.min.js exports a JS object equal to a tfjs model.json.
const model = require(path.resolve(dir, 'model.min.js'));
if (!model.modelTopology || !model.weightsManifest) {
  throw new Error('model.min.js did not export {modelTopology, weightsManifest}');
}
fs.mkdirSync(out, { recursive: true });
fs.writeFileSync(path.join(out, 'model.json'), JSON.stringify(model));
for (const group of model.weightsManifest) {
  for (const p of group.paths) {
    // Each shard file exports one base64 string: the raw little-endian weight bytes.
    const b64 = require(path.resolve(dir, p + '.min.js'));
    if (typeof b64 !== 'string') {
      throw new Error(p + '.min.js did not export a base64 string');
    }
    fs.writeFileSync(path.join(out, p), Buffer.from(b64, 'base64'));
  }
}
console.log('decoded nsfwjs MobileNetV2 into ' + out);
