import pytest

import llmviz


@pytest.fixture(scope="session")
def model():
    return llmviz.load_model(device="cpu")


@pytest.fixture(scope="session")
def mj_trace(model):
    return model.run("Michael Jordan plays the sport of")
