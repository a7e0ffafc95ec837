// A regression: predict a number (rainfall, in mm) from the other columns. Targets are standardised
// inside and come back in millimetres; the scores are RMSE, MAE and R².
import { Network, loadCsv, splitRows } from 'ffnn';

const file = new URL('./data/weather.csv', import.meta.url).pathname;
const data = await loadCsv(file, { targets: ['rainfall'], ignore: ['station', 'rain'] });
const { train, test } = splitRows(data, { test: 0.25, seed: 1 });
const { network } = await Network.fit(train, { seed: 1 });
const { rmse, mae, r2 } = network.evaluate(test.x, test.y);
console.log(`rainfall: RMSE ${rmse.toFixed(2)} mm, MAE ${mae.toFixed(2)} mm, R² ${r2.toFixed(3)}`);
console.log('first predictions (mm):', Array.from(network.predict(test.x).data.slice(0, 5), (v) => v.toFixed(1)).join(', '));
