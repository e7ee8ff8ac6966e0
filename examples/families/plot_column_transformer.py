"""
A ColumnTransformer pipeline on a DataFrame
===========================================

A ``ColumnTransformer`` sends each group of columns to its own transformer. In the network
these are **branches** that select their columns; the one-hot encoder is a lookup layer that
reads category codes. The network takes the DataFrame itself: its input schema maps the
columns by name (in any order) and the categories to the encoder's codes.
"""

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

import nnconvert as nc

rng = np.random.default_rng(0)
n = 500
frame = pd.DataFrame({
    "age": rng.integers(18, 80, n).astype(float),
    "income": rng.lognormal(10, 0.5, n),
    "city": rng.choice(["Lyon", "Oslo", "Quito", "Perth"], n),
    "plan": pd.Categorical(rng.choice(["basic", "plus", "pro"], n)),
})
target = ((frame["age"] > 45) ^ (frame["plan"] == "pro")).astype(int)

model = make_pipeline(
    ColumnTransformer([
        ("numbers", StandardScaler(), ["age", "income"]),
        ("categories", OneHotEncoder(handle_unknown="ignore"), ["city", "plan"]),
    ]),
    LogisticRegression(),
).fit(frame, target)
net = nc.convert(model)
print(net.explain())

# %%
# The DataFrame goes in as it is, columns in any order.
shuffled = frame[["plan", "income", "city", "age"]]
print((net.predict(shuffled) == model.predict(frame)).all())
print(nc.verify(model, net, frame))

# %%
nc.draw(net)
