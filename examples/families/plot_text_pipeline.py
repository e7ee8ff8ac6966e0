"""
A text pipeline
===============

Tokenising text is not a network: the fitted vectorizer runs outside it (the network holds
a copy and runs it on documents), and the network reads the sparse matrix it makes. The
tf-idf weighting, the normalisation and the classifier are layers.
"""

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

import nnconvert as nc

documents = [
    "the striker scored twice in the second half", "a late goal won the derby",
    "the keeper saved a penalty in extra time", "fans sang as the team lifted the cup",
    "the coach praised the young midfielder", "a red card changed the match",
    "the central bank raised interest rates again", "shares fell after the earnings report",
    "inflation slowed for the third month", "the company announced a bond issue",
    "investors sold tech stocks on rate fears", "the currency gained against the dollar",
]
topics = ["sport"] * 6 + ["finance"] * 6
model = make_pipeline(TfidfVectorizer(), LogisticRegression()).fit(documents, topics)
net = nc.convert(model)

new = ["the goal came in extra time", "rates and stocks fell", "a penalty for the bank"]
print(net.predict(new), model.predict(new))
print(nc.verify(model, net, documents + new))

# %%
# The vectorizer is drawn as a step outside the network, then the weighting and the neuron.
nc.draw(net)
