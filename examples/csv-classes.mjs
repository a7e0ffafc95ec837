// Classes from a CSV file as it comes: a text category, dates, missing cells and a yes/no label.
// The defaults decide the network; the columns the file taught travel with the saved model.
import { Network, loadCsv, splitRows } from 'ffnn';

const file = new URL('./data/weather.csv', import.meta.url).pathname;
const data = await loadCsv(file, { label: 'rain', ignore: ['station', 'rainfall'] });
for (const note of data.report.notes) console.log('note:', note);
const { train, test } = splitRows(data, { test: 0.25, seed: 1 });
const { network } = await Network.fit(train, { seed: 1 });
const score = network.evaluate(test.x, test.y);
console.log(`classes ${network.classNames.join(', ')}; test accuracy ${(100 * score.accuracy).toFixed(1)} %`);
const first = network.classify(test.x).slice(0, 5);
console.log('first predictions:', Array.from(first, (k) => network.classNames[k]).join(', '));
