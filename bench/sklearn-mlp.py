# scikit-learn's MLP on the files the data bench wrote, for the same splits ffnn trained on.
# Usage: sklearn-mlp.py JOBS.json  →  one JSON line per job: the test score of MLPClassifier or
# MLPRegressor with their defaults, on raw inputs and behind a StandardScaler, and the seconds each took.
import json, sys, time, warnings
import pandas as pd
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.metrics import accuracy_score, r2_score

warnings.filterwarnings('ignore')  # ConvergenceWarning at max_iter: the score is what counts here

def read(path, job):
    frame = pd.read_csv(path, skiprows=job['skip'], header=0 if job['header'] else None)
    column = frame.columns[job['column']]
    return frame.drop(columns=[column]).values, frame[column].values

for job in json.load(open(sys.argv[1])):
    x, y = read(job['train'], job)
    xt, yt = read(job['test'], job)
    out = {'name': job['name'], 'seed': job['seed']}
    for scaled in (False, True):
        model = (MLPClassifier if job['task'] == 'classification' else MLPRegressor)(random_state=job['seed'])
        if scaled:
            model = make_pipeline(StandardScaler(), model)
        start = time.time()
        model.fit(x, y)
        seconds = time.time() - start
        predicted = model.predict(xt)
        score = accuracy_score(yt, predicted) if job['task'] == 'classification' else r2_score(yt, predicted)
        out['scaled' if scaled else 'raw'] = {'score': score, 'seconds': seconds}
    print(json.dumps(out), flush=True)
