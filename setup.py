"""The one thing pyproject.toml cannot say: the wheel carries the repository's top-level
``scenes/`` (the chapters, their step packages and the demo) as ``llmviz/lecture/``, so that
there is one copy of each scene file and an installed llmviz still has the lecture."""

from setuptools import find_packages, setup

lecture = [f"llmviz.lecture.{p}" for p in find_packages("scenes")]
setup(
    packages=[*find_packages(include=["llmviz", "llmviz.*"]), "llmviz.lecture", *lecture],
    package_dir={"llmviz.lecture": "scenes"},
)
