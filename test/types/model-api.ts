// Compile-time checks of the front door (typechecked by `npm run typecheck` and by test/model-api-types.test.ts
// against the built declarations): each @ts-expect-error line must be an error, or tsc fails.
import { Model, train } from 'backprop';
import { loadModel, readTable } from 'backprop/node';

const rows = [{ age: 31, city: 'Oslo', bought: 'yes' }, { age: 52, city: 'Rome', bought: 'no' }];

export async function checks(): Promise<void> {
  const model = await train(rows, { target: 'bought', layers: [8], epochs: 3 });
  const [p] = model.predict([{ age: 40, city: 'Paris' }]);
  if ('label' in p) console.log(p.label, p.probabilities.yes);
  model.evaluate(rows);
  Model.fromJSON(model.toJSON()).predict([{ age: 40, city: 'Paris' }]);

  // @ts-expect-error a misspelled target is not a field of the rows
  await train(rows, { target: 'bougth' });
  // @ts-expect-error a misspelled option is not an option
  await train(rows, { target: 'bought', epoch: 3 });
  // @ts-expect-error options have their types: layers are numbers
  await train(rows, { target: 'bought', layers: ['8'] });
  // @ts-expect-error predict takes the rows without the target
  model.predict([{ age: 40, city: 'Paris', bought: 'yes' }]);
  // @ts-expect-error predict takes rows whose fields have the training rows' types
  model.predict([{ age: 'forty', city: 'Paris' }]);

  // A field may be missing (left out, or null): it is filled as in training.
  model.predict([{ city: 'Paris' }, { age: null, city: 'Oslo' }]);
  // Rows skipped under onInvalidRow 'skip' are null; otherwise predictions never are.
  const skipped: (typeof p | null)[] = model.predict([{ age: 40 }], { onInvalidRow: 'skip' });
  // @ts-expect-error with onInvalidRow 'skip' a prediction may be null
  const notNull: typeof p = model.predict([{ age: 40 }], { onInvalidRow: 'skip' })[0];
  console.log(skipped, notNull);

  // A regression asked for predicts numbers: value needs no `!`.
  const prices = [{ size: 50, price: 150_000 }, { size: 70, price: 210_000 }];
  const value: number = (await train(prices, { target: 'price', task: 'regression' })).predict([{ size: 60 }])[0].value;
  // A model from a file takes its row type, and narrows its predictions by its task.
  const loaded = loadModel<{ size: number }>('prices.json');
  // @ts-expect-error the row type is the compiler's: size is a number
  loaded.predict([{ size: 'big' }]);
  if (loaded.isRegression()) console.log(value + loaded.predict([{ size: 60 }])[0].value);
  // @ts-expect-error Model.fromJSON takes the file's data; text goes to Model.parse
  Model.fromJSON<{ size: number }>({}).predict([{ size: 'big' }]);

  const table = await readTable('data/iris.csv');
  const iris = await train(table, { target: 'species', seed: 3 });
  iris.predict(table);
  loadModel('iris.json').predict([{ sepal_length: 5.1 }]);
}
