"""The training corpus, generated from fact tables and sentence templates (seeded, deterministic).

The corpus is designed so that the small model has to learn what the lecture explains:

* **Facts that need an AND.** Athletes are a grid of first and last names: every first name is
  shared by four athletes and every last name by four, each with a different sport. Knowing
  "Michael" or "Jordan" alone leaves four sports; only the pair decides (Michael Jordan ->
  basketball, Michael Phelps -> swimming, Alexis Jordan -> tennis).
* **Adjectives that matter to the noun.** In "a fluffy blue creature roamed the verdant forest"
  the verb is decided by all the noun's adjectives together (the share of "gentle" ones); there
  are one to three of them, from one pool in any order, and half the sentences open with another
  noun and its own adjectives ("Near the red spiky fox, ..."), so the noun's position must look
  back at exactly its own adjectives.
* **Facts right at the name.** Some templates put the sport straight after the name ("Tonight on
  TV: Michael Jordan basketball highlights"), so the model gains by recalling the sport at the
  last name's token, as the lecture describes.
* **Words in context.** tower / Eiffel tower / miniature Eiffel tower, model and mole in their
  several senses, king / queen / man / woman with he / she, singular and plural nouns, sports
  next to sports, cities next to countries.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

__all__ = [
    "FIRST_NAMES",
    "LAST_NAMES",
    "GRID_SPORTS",
    "SPORTS",
    "REAL_ATHLETES",
    "real_sport",
    "made_up",
    "name_note",
    "Athlete",
    "athletes",
    "fact_prompt",
    "generate_corpus",
    "LECTURE_PROMPTS",
    "SNAPSHOT_WORDS",
    "ADJECTIVES",
    "GENTLE",
    "FIERCE",
    "verb_for",
    "known_athlete",
    "contrast_prompts",
]

# --- athletes: a 10 x 10 grid of names, 4 athletes per first name and per last name -----------
FIRST_NAMES = [
    "Michael",
    "Alexis",
    "Serena",
    "Roger",
    "Diego",
    "Simone",
    "Tiger",
    "Maria",
    "Lionel",
    "Nadia",
]
LAST_NAMES = [
    "Phelps",
    "Jordan",
    "Woods",
    "Bolt",
    "Nadal",
    "Biles",
    "Messi",
    "Curry",
    "Federer",
    "Ali",
]
# Sport of athlete (i, j) is GRID_SPORTS[(i + 2 j) % 10]: distinct within a first name and a last
# name, unless the pair names a real athlete (REAL_ATHLETES), who keeps the real sport.
GRID_SPORTS = [
    "swimming",
    "golf",
    "basketball",
    "tennis",
    "soccer",
    "baseball",
    "hockey",
    "boxing",
    "cycling",
    "rugby",
]

#: Well-known real athletes and their real sports. A pair of the grid that names one of them gets
#: the real sport in the corpus (Simone Biles does gymnastics, not the grid's baseball), and a
#: scene that shows one of them with the model's guess can say what the real answer is.
REAL_ATHLETES = {
    "Michael Phelps": "swimming",
    "Michael Jordan": "basketball",
    "Simone Biles": "gymnastics",
    "Roger Federer": "tennis",
    "Serena Williams": "tennis",
    "Rafael Nadal": "tennis",
    "Tiger Woods": "golf",
    "Lionel Messi": "soccer",
    "Diego Maradona": "soccer",
    "Usain Bolt": "sprinting",
    "Stephen Curry": "basketball",
    "Muhammad Ali": "boxing",
    "Nadia Comaneci": "gymnastics",
    "Maria Sharapova": "tennis",
    "Katie Ledecky": "swimming",
}

#: Every sport of the corpus: the grid's ten and the real sports of the grid's real athletes.
SPORTS = GRID_SPORTS + sorted(
    {
        REAL_ATHLETES[f"{f} {last}"]
        for i, f in enumerate(FIRST_NAMES)
        for j, last in enumerate(LAST_NAMES)
        if (j - i) % 10 < 4 and f"{f} {last}" in REAL_ATHLETES
    }
    - set(GRID_SPORTS)
)


def real_sport(name: str) -> str | None:
    """The real sport of a well-known athlete called ``name``, or None for a name that belongs to
    no famous athlete (a made-up pair such as "Alexis Jordan").

    Examples
    --------
    >>> real_sport("Simone Biles"), real_sport("Alexis Jordan")
    ('gymnastics', None)
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a str such as 'Simone Biles', not {type(name).__name__}")
    return REAL_ATHLETES.get(" ".join(name.split()))


def made_up(name: str) -> bool:
    """Whether ``name`` is a pair of the corpus's first and last names that belongs to no real
    athlete ("Alexis Jordan"): a scene that shows such a name says that it is made up.

    Examples
    --------
    >>> made_up("Alexis Jordan"), made_up("Michael Jordan"), made_up("Katie Ledecky")
    (True, False, False)
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a str such as 'Alexis Jordan', not {type(name).__name__}")
    words = name.split()
    return (
        len(words) == 2
        and words[0] in FIRST_NAMES
        and words[1] in LAST_NAMES
        and real_sport(name) is None
    )


def name_note(name: str) -> str:
    """What a lecture says beside a name: ``"a made-up name"`` for a made-up pair of the corpus
    (:func:`made_up`), else ``""`` (a real athlete's sport is :func:`real_sport`).

    Examples
    --------
    >>> name_note("Alexis Jordan"), name_note("Michael Jordan")
    ('a made-up name', '')
    """
    return "a made-up name" if made_up(name) else ""


@dataclass(frozen=True)
class Athlete:
    first: str
    last: str
    sport: str

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"


def athletes() -> list[Athlete]:
    """The fact table: 40 athletes, ``(first i, last j)`` present when ``(j - i) % 10 < 4``.

    A pair that names a real athlete has the real sport; the others are made up.

    Examples
    --------
    >>> {a.name: a.sport for a in athletes()}["Simone Biles"]
    'gymnastics'
    """
    table = []
    for i, first in enumerate(FIRST_NAMES):
        for j, last in enumerate(LAST_NAMES):
            if (j - i) % 10 < 4:
                grid = GRID_SPORTS[(i + 2 * j) % 10]
                table.append(Athlete(first, last, REAL_ATHLETES.get(f"{first} {last}", grid)))
    return table


def fact_prompt(name: str) -> str:
    """The prompt whose next token is the athlete's sport (the lecture's template)."""
    return f"{name} plays the sport of"


FACT_TEMPLATES = [
    "{name} plays the sport of {sport}.",
    "{name} plays the sport of {sport}.",
    "{name} is famous for {sport}.",
    "The sport of {name} is {sport}.",
    "Fans love to watch {name} play {sport}.",
    "Every morning {name} trains for {sport}.",
    "Tonight on TV: {name} {sport} highlights.",
    "Collect the card of {name} {sport} legend.",
    "User: What sport does {name} play? Assistant: {name} plays {sport}.",
]

# --- adjectives and nouns: the verb depends on ALL the adjectives ------------------------------
# Every adjective is "gentle" or "fierce". A creature has one to three adjectives, drawn from one
# pool in any order, and the verb after the noun depends on the share of gentle ones (more than
# half: roamed, exactly half: wandered, less: stalked). Heads that look one or two tokens back
# cannot solve this; a head that spreads its attention over all of the noun's adjectives can.
GENTLE = ["fluffy", "blue", "soft", "green", "furry", "silver", "woolly", "purple"]
FIERCE = ["scaly", "red", "spiky", "orange", "rusty", "golden", "slimy", "black"]
ADJECTIVES = GENTLE + FIERCE
CREATURES = ["creature", "animal", "beast", "thing", "monster", "critter"]
PLACE_ADJECTIVES = ["verdant", "misty", "quiet", "ancient", "dark", "sunny", "frozen", "wide"]
PLACES = ["forest", "meadow", "valley", "garden", "river", "desert", "city", "cave"]


def verb_for(*adjectives: str) -> str:
    """The verb that follows a creature described by these adjectives."""
    share = sum(a in GENTLE for a in adjectives) / len(adjectives)
    return "roamed" if share > 0.5 else "wandered" if share == 0.5 else "stalked"


# --- words in context ----------------------------------------------------------------------
CONTEXT_SENTENCES = [
    "The tower stood alone on the hill.",
    "The tall tower was made of stone.",
    "The old tower overlooked the river.",
    "The Eiffel tower is in Paris.",
    "The Eiffel tower is a famous landmark in Paris.",
    "Tourists in Paris climb the Eiffel tower.",
    "The miniature Eiffel tower sat on the desk.",
    "She bought a miniature Eiffel tower as a souvenir.",
    "The miniature Eiffel tower fits in a pocket.",
    "The fashion model walked down the runway.",
    "The model posed for the camera.",
    "The language model predicted the next word.",
    "The model predicts the next token from the text.",
    "He built a model of the ship from wood.",
    "The mole dug a tunnel under the garden.",
    "The mole lives underground in the dark.",
    "One mole of carbon weighs twelve grams.",
    "A mole of gas contains many molecules.",
    "The doctor looked at the mole on his arm.",
    "Paris is the capital of France.",
    "Rome is the capital of Italy.",
    "Berlin is the capital of Germany.",
    "Madrid is the capital of Spain.",
    "Tokyo is the capital of Japan.",
    "London is the capital of England.",
]
GENDER_PAIRS = [
    ("man", "woman"),
    ("king", "queen"),
    ("boy", "girl"),
    ("prince", "princess"),
    ("father", "mother"),
    ("brother", "sister"),
    ("uncle", "aunt"),
]
GENDER_TEMPLATES = [
    "The {w} said that {p} was tired.",
    "The {w} smiled because {p} was happy.",
    "The {w} is a {kind}.",
    "Yesterday the {w} told us that {p} would come.",
]
ROYAL_TEMPLATES = [
    "The {w} ruled the kingdom.",
    "The {w} wore a golden crown.",
    "The {w} sat on the throne.",
]
PLURAL_NOUNS = [
    "cat",
    "dog",
    "bird",
    "fox",
    "horse",
    "rabbit",
    "tower",
    "king",
    "queen",
    "model",
    "tree",
    "car",
]
PLURAL_TEMPLATES = [
    ("The {s} is sleeping.", "The {p} are sleeping."),
    ("One {s} sat by the door.", "Two {p} sat by the door."),
    ("I saw a {s} today.", "I saw many {p} today."),
    ("This {s} is mine.", "These {p} are mine."),
]
SPORT_TEMPLATES = [
    "{sport} is a popular sport.",
    "They played {sport} after school.",
    "She watched a {sport} game on television.",
    "My favourite sport is {sport}.",
    "The {sport} season starts in spring.",
]
MISC_SENTENCES = [
    "Transformers read the whole sentence at once.",
    "Unbelievably, the experiment worked the first time.",
    "The photosynthesis lecture was surprisingly interesting.",
    "Neural networks learn patterns from examples.",
    "The weather today is sunny and warm.",
    "We walked to the market to buy bread.",
]

#: Prompts whose predictions are recorded during training (for the foundations chapter).
LECTURE_PROMPTS = [
    "Michael Jordan plays the sport of",
    "Michael Phelps plays the sport of",
    "Alexis Jordan plays the sport of",
    "a fluffy blue creature",
    "The Eiffel tower is in",
]

#: Words whose embedding rows the training log records as training goes (one token each, with
#: the leading space they have inside a sentence), so that a scene can show them moving.
SNAPSHOT_WORDS = [
    " man",
    " woman",
    " king",
    " queen",
    " cat",
    " cats",
    " dog",
    " dogs",
    " tower",
    " Paris",
    " basketball",
    " swimming",
    " tennis",
    " golf",
    " fluffy",
    " blue",
    " red",
    " scaly",
    " creature",
    " forest",
    " Michael",
    " Jordan",
]


def _creature_sentence(rng: random.Random) -> str:
    adjectives = rng.sample(ADJECTIVES, rng.choice([1, 2, 2, 3]))
    verb = verb_for(*adjectives)
    noun = rng.choice(CREATURES)
    place = f"{rng.choice(PLACE_ADJECTIVES)} {rng.choice(PLACES)}"
    if rng.random() < 0.5:  # a lead-in whose adjectives belong to another noun and must be ignored
        other = rng.sample([a for a in ADJECTIVES if a not in adjectives], rng.choice([1, 2]))
        lead = f"{rng.choice(['Near', 'Behind', 'After'])} the {' '.join(other)} {rng.choice(CREATURES)}, "
        article = rng.choice(["a", "the"])
    else:
        lead, article = "", rng.choice(["a", "a", "the", "A", "The"])
    if article in ("a", "A") and adjectives[0][0] in "aeiou":
        article += "n"
    return f"{lead}{article} {' '.join(adjectives)} {noun} {verb} the {place}."


def _fact_sentence(rng: random.Random, table: list[Athlete]) -> str:
    a = rng.choice(table)
    return rng.choice(FACT_TEMPLATES).format(name=a.name, sport=a.sport)


def _gender_sentence(rng: random.Random) -> str:
    male, female = rng.choice(GENDER_PAIRS)
    word, pronoun, kind = (male, "he", "man") if rng.random() < 0.5 else (female, "she", "woman")
    if word in ("king", "queen", "prince", "princess") and rng.random() < 0.4:
        return rng.choice(ROYAL_TEMPLATES).format(w=word)
    return rng.choice(GENDER_TEMPLATES).format(w=word, p=pronoun, kind=kind)


def _plural_sentence(rng: random.Random) -> str:
    noun = rng.choice(PLURAL_NOUNS)
    singular, plural = rng.choice(PLURAL_TEMPLATES)
    return singular.format(s=noun) if rng.random() < 0.5 else plural.format(p=noun + "s")


def _sport_sentence(rng: random.Random) -> str:
    text = rng.choice(SPORT_TEMPLATES).format(sport=rng.choice(SPORTS))
    return text[0].upper() + text[1:]


def generate_corpus(n_sentences: int = 60_000, seed: int = 0) -> list[str]:
    """Return ``n_sentences`` sentences drawn from the templates; the same seed gives the same list.

    Examples
    --------
    >>> generate_corpus(3, seed=1) == generate_corpus(3, seed=1)
    True
    """
    rng = random.Random(seed)
    table = athletes()
    kinds = [
        (0.40, lambda: _fact_sentence(rng, table)),
        (0.25, lambda: _creature_sentence(rng)),
        (0.12, lambda: rng.choice(CONTEXT_SENTENCES)),
        (0.10, lambda: _gender_sentence(rng)),
        (0.07, lambda: _plural_sentence(rng)),
        (0.05, lambda: _sport_sentence(rng)),
        (0.01, lambda: rng.choice(MISC_SENTENCES)),
    ]
    weights = [w for w, _ in kinds]
    makers = [m for _, m in kinds]
    return [rng.choices(makers, weights)[0]() for _ in range(n_sentences)]


def known_athlete(name: str):
    """The fact-table athlete called ``name`` ("Michael Jordan"), or None if the corpus never
    mentions such a person.

    Examples
    --------
    >>> known_athlete("Michael Jordan").sport, known_athlete("Serena Jordan") is None
    ('basketball', True)
    """
    for a in athletes():
        if a.name == " ".join(name.split()):
            return a
    return None


def contrast_prompts(prompt: str) -> tuple[str, str]:
    """Two contrasts for a "<first> <last> ..." prompt: the same first name with another last
    name, and another first name with the same last name (fact-table athletes when there are
    such, so that the model knows their answers).

    Examples
    --------
    >>> contrast_prompts("Michael Jordan plays the sport of")
    ('Michael Phelps plays the sport of', 'Alexis Jordan plays the sport of')
    >>> contrast_prompts("On TV: Michael Jordan plays")[1]
    'On TV: Alexis Jordan plays'
    """
    words = prompt.split(" ")
    if len(words) < 2 or not words[0] or not words[1]:
        raise ValueError(
            f"contrasts can be derived only from a prompt that starts with a first and a last "
            f"name ('Michael Jordan plays the sport of'); {prompt!r} does not; set contrasts"
        )
    # the name: the first pair of words that the corpus uses as a first or a last name, else
    # the prompt's first two words ("Tonight on TV ...: Michael Jordan plays ..." -> Michael Jordan)
    at = next(
        (i for i in range(len(words) - 1) if words[i] in FIRST_NAMES or words[i + 1] in LAST_NAMES),
        0,
    )
    lead = " ".join(words[:at]) + (" " if at else "")
    first, last, rest = words[at], words[at + 1], " ".join(words[at + 2 :])
    table = athletes()
    lasts = [a.last for a in table if a.first == first and a.last != last] or [
        n for n in LAST_NAMES if n != last
    ]
    firsts = [a.first for a in table if a.last == last and a.first != first] or [
        n for n in FIRST_NAMES if n != first
    ]
    tail = f" {rest}" if rest else ""
    return f"{lead}{first} {lasts[0]}{tail}", f"{lead}{firsts[0]} {last}{tail}"
