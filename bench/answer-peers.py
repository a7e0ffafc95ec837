# The Python peers' side of the whole-run bench: one job from process start to a scored model.
# Prints one JSON line: the test accuracy. The parent times the process from spawn to exit.
#   answer-peers.py seed-numpy TRAIN.csv TEST.csv EPOCHS      the seed notebook's network, its code fixed
#   answer-peers.py seed-sklearn TRAIN.csv TEST.csv EPOCHS    MLPClassifier, the seed's shape and batch
#   answer-peers.py start-sklearn IDX_DIR HIDDEN BATCH EPOCHS MLPClassifier, npm start's recipe
import json, sys, warnings
import numpy as np

warnings.filterwarnings('ignore')  # ConvergenceWarning at max_iter: the epochs are fixed on purpose
job = sys.argv[1]


def seed_numpy(train_path, test_path, epochs):
    # The notebook's 784-30-10 network (sigmoid, sum of squares, mini-batch SGD, rate 3, batch 10)
    # with its two failures fixed: inputs scaled to [0, 1], and a sigmoid that cannot overflow.
    # Each mini-batch is one matrix product per layer, as a numpy user would write it.
    train = np.loadtxt(train_path, delimiter=',', skiprows=1, dtype=np.float32)
    test = np.loadtxt(test_path, delimiter=',', skiprows=1, dtype=np.float32)
    x, labels = train[:, 1:] / 255, train[:, 0].astype(int)
    y = np.eye(10, dtype=np.float32)[labels]
    rng = np.random.default_rng(1)
    sizes = [784, 30, 10]
    w = [rng.standard_normal((a, b), dtype=np.float32) / np.sqrt(a) for a, b in zip(sizes[:-1], sizes[1:])]
    b = [np.zeros(n, dtype=np.float32) for n in sizes[1:]]

    def sigmoid(z):
        return np.exp(-np.logaddexp(0, -z)).astype(np.float32)

    rate, batch = 3.0, 10
    for _ in range(int(epochs)):
        order = rng.permutation(len(x))
        for s in range(0, len(x), batch):
            idx = order[s:s + batch]
            a = [x[idx]]
            for wi, bi in zip(w, b):
                a.append(sigmoid(a[-1] @ wi + bi))
            d = (a[-1] - y[idx]) * a[-1] * (1 - a[-1])
            for l in range(len(w) - 1, -1, -1):
                gw, gb = a[l].T @ d, d.sum(0)
                if l > 0:
                    d = (d @ w[l].T) * a[l] * (1 - a[l])
                w[l] -= rate / len(idx) * gw
                b[l] -= rate / len(idx) * gb
    out = test[:, 1:] / 255
    for wi, bi in zip(w, b):
        out = sigmoid(out @ wi + bi)
    return float((out.argmax(1) == test[:, 0].astype(int)).mean())


def seed_sklearn(train_path, test_path, epochs):
    import pandas as pd
    from sklearn.neural_network import MLPClassifier
    train, test = pd.read_csv(train_path).values, pd.read_csv(test_path).values
    model = MLPClassifier(hidden_layer_sizes=(30,), activation='logistic', solver='sgd', batch_size=10,
                          learning_rate_init=0.1, momentum=0, max_iter=int(epochs), tol=0, n_iter_no_change=10 ** 6, random_state=1)
    model.fit(train[:, 1:] / 255, train[:, 0])
    return float((model.predict(test[:, 1:] / 255) == test[:, 0]).mean())


def idx(path, offset):
    return np.frombuffer(open(path, 'rb').read(), dtype=np.uint8, offset=offset)


def start_sklearn(folder, hidden, batch, epochs):
    from sklearn.neural_network import MLPClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    x = idx(f'{folder}/train-images-idx3-ubyte', 16).reshape(-1, 784).astype(np.float32)
    y = idx(f'{folder}/train-labels-idx1-ubyte', 8)
    tx = idx(f'{folder}/t10k-images-idx3-ubyte', 16).reshape(-1, 784).astype(np.float32)
    ty = idx(f'{folder}/t10k-labels-idx1-ubyte', 8)
    model = make_pipeline(StandardScaler(), MLPClassifier(hidden_layer_sizes=(int(hidden),), batch_size=int(batch), max_iter=int(epochs),
                                                          tol=0, n_iter_no_change=10 ** 6, random_state=1))
    model.fit(x, y)
    return float((model.predict(tx) == ty).mean())


accuracy = {'seed-numpy': seed_numpy, 'seed-sklearn': seed_sklearn, 'start-sklearn': start_sklearn}[job](*sys.argv[2:])
print(json.dumps({'accuracy': accuracy}))
