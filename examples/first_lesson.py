"""Your first lesson in 30 lines: a prompt, its real forward pass, one vector, one attention
grid, told in beats. Render it with ``manim render -ql examples/first_lesson.py FirstLesson``."""

from manim import DOWN, LEFT, RIGHT, UP, FadeIn

from llmviz import AttentionGrid, NumericVector, TokenStrip
from llmviz.layout import text, title
from llmviz.model import hook_name
from llmviz.scene import LectureScene
from llmviz.words import pct


class FirstLesson(LectureScene):
    prompt = "Michael Jordan plays the sport of"  # or set LLMVIZ_PROMPT / --prompt

    def construct(self):
        trace = self.trace(self.prompt)  # every value below comes from this forward pass
        tokens = TokenStrip(trace.tokens).to_edge(DOWN)
        residual = trace[hook_name("resid_post", 0)][-1]  # the last token after block 0
        vector = NumericVector(residual, max_entries=6, label=True).to_edge(LEFT, buff=1)
        pattern = trace[hook_name("pattern", 0)][0]  # layer 0, head 0: [query, key]
        grid = AttentionGrid(pattern, tokens=trace.tokens, cell_size=0.45).to_edge(RIGHT, buff=1)
        best = trace.top_k(1)[0]

        self.section("What the model reads")
        self.say(
            "The model reads the prompt as tokens.", FadeIn(title("A first lesson")), FadeIn(tokens)
        )
        self.say("Each token becomes a vector of numbers; here is the last one.", FadeIn(vector))
        self.section("Where it looks")
        self.say("An attention head decides which tokens each token looks at.", FadeIn(grid))
        guess = text(f"next: {best.token.strip()} ({pct(best.prob)}%)", 28).next_to(tokens, UP)
        self.say(f"Its best guess for the next token is {best.token.strip()}.", FadeIn(guess))
