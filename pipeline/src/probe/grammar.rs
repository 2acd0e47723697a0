//! A seeded probabilistic grammar of plain English prose: the clean corpus's generator.
//!
//! Sentences are built from phrase rules over a lexicon of a few hundred words per open class:
//! noun phrases with determiners, adjectives and prepositional, `of` or relative (`who`, `that`,
//! `which`) modifiers; transitive, intransitive, copular, modal, perfect (`has taken`), negated
//! (`did not`) and infinitive (`wanted to find`) verb phrases; `there was`, `it was … to`
//! sentences, openers and subordinate clauses joined by conjunctions. Number and tense agree: a
//! paragraph keeps one tense, and a present-tense verb takes its `-s` form after a singular
//! subject.
//!
//! Words are drawn with Zipf-like weights (the word of rank `r` in its list has weight
//! `1 / (r + ZIPF_OFFSET)`), so, as in English, a few words of each class are common and most
//! are rare. The lists are written in rough order of everyday frequency, from general knowledge
//! of English, not from any evaluation text.
//!
//! The output therefore has English syntax and function-word statistics while almost never
//! repeating a sentence, so a probe trained on it learns English word order rather than
//! memorising a text. The lexicon is written for this module (its own word lists); it shares no
//! sentences with the held-out prose the experiment evaluates on.

use std::sync::OnceLock;

use rand::Rng;
use rand::distr::Distribution;
use rand::distr::weighted::WeightedIndex;
use rand::seq::IndexedRandom;
use rand_chacha::ChaCha8Rng;

/// People, singular; `singular:plural` where the plural is irregular. They take `who`.
const PEOPLE: &str = "
    man:men woman:women child:children friend mother father brother sister teacher doctor
    neighbour boy girl student worker farmer driver visitor stranger owner family baby wife:wives
    husband son daughter uncle aunt cousin nurse soldier sailor fisherman:fishermen baker painter
    writer singer priest judge king queen prince guest traveller player customer manager
    officer guard cook engineer scientist artist musician boss partner colleague pupil
";

/// Other countable nouns, singular, in the same notation.
const THINGS: &str = "
    day year time:times house room door way thing place home week town car book hand
    morning night evening school street table road city village window garden letter
    bed chair kitchen shop office river field tree bridge market station church wall floor
    box bag cup plate bottle picture story song question answer idea plan problem reason
    hour minute month moment side end part job word name face head eye voice heart
    mind dream hope habit mistake promise secret message rule game match race journey
    holiday party meeting lesson trip walk visit phone computer camera radio machine bus
    train ship boat plane bicycle ticket map key knife:knives spoon pot clock bell lamp
    coat hat shoe glove dress shirt page note list report sign gift prize bill coin price
    horse cow sheep:sheep dog cat bird fish:fish mouse:mice fox wolf:wolves bear
    flower leaf:leaves branch root seed apple potato onion loaf:loaves cake egg
    stone rock hill valley lake pond beach island path fence barn farm mill well
    cloud wave shore cliff cave meadow orchard forest mountain harbour storm star
    museum library hospital factory hotel restaurant theatre prison court castle tower
    country nation government council company team club army crowd square gate roof
    basket candle stove wheel rope chain cart engine festival wedding memory
";

/// Mass and abstract nouns that take no article or `some`.
const MASS_NOUNS: &str = "
    water time work money food bread tea coffee milk news music weather rain snow wind light
    air fire land grass wood paper glass iron gold silver cloth wool sand dust mud smoke
    soup rice salt sugar butter cheese honey fruit meat traffic furniture luggage
    advice information knowledge help peace noise silence darkness laughter patience courage
    kindness anger pride luck health history art
";

/// Names of people.
const NAMES: &str = "
    Anna Ben Clara David Emma Frank Grace Henry Iris Jack Laura Martin Nora Oliver Paul
    Rosa Sam Thomas Vera William Hannah Leo Mia Peter Ruth Simon Tessa Victor Alice Edward
";

/// Adjectives.
const ADJECTIVES: &str = "
    good new old little small big long great young large high short early late last next
    whole only own same other important different real easy hard full empty open free best
    right wrong sure ready able happy sad strong weak warm cold hot cool dark bright quiet
    loud slow quick clean dirty heavy light wet dry soft simple strange familiar careful
    busy tired hungry proud kind gentle honest clever brave nervous calm wild rich poor
    cheap expensive beautiful ugly pleasant ordinary famous common rare useful serious
    difficult safe dangerous public private local foreign green red blue white black
    yellow grey brown golden wooden broken hidden favourite main final ancient modern
    fresh ripe sweet bitter thin thick deep wide narrow tall low sharp smooth rough
    lazy patient careless angry cruel foolish tame useless single
";

/// Transitive verbs: `base,past,third` or `base,past,third,participle` where the participle
/// differs from the past.
const TRANSITIVE_VERBS: &str = "
    take,took,takes,taken  make,made,makes  find,found,finds  see,saw,sees,seen
    know,knew,knows,known  get,got,gets  give,gave,gives,given  use,used,uses
    tell,told,tells  leave,left,leaves  keep,kept,keeps  bring,brought,brings
    hold,held,holds  buy,bought,buys  show,showed,shows,shown  hear,heard,hears
    meet,met,meets  call,called,calls  help,helped,helps  put,put,puts  read,read,reads
    write,wrote,writes,written  carry,carried,carries  open,opened,opens
    close,closed,closes  watch,watched,watches  follow,followed,follows
    visit,visited,visits  build,built,builds  sell,sold,sells  pay,paid,pays
    lose,lost,loses  ask,asked,asks  need,needed,needs  want,wanted,wants
    like,liked,likes  love,loved,loves  remember,remembered,remembers
    forget,forgot,forgets,forgotten  change,changed,changes  move,moved,moves
    teach,taught,teaches  answer,answered,answers  explain,explained,explains
    describe,described,describes  notice,noticed,notices  enjoy,enjoyed,enjoys
    miss,missed,misses  reach,reached,reaches  save,saved,saves  spend,spent,spends
    send,sent,sends  receive,received,receives  share,shared,shares  check,checked,checks
    clean,cleaned,cleans  wash,washed,washes  fill,filled,fills  push,pushed,pushes
    pull,pulled,pulls  lift,lifted,lifts  drop,dropped,drops  throw,threw,throws,thrown
    catch,caught,catches  cook,cooked,cooks  eat,ate,eats,eaten  drink,drank,drinks,drunk
    grow,grew,grows,grown  plant,planted,plants  cut,cut,cuts  break,broke,breaks,broken
    fix,fixed,fixes  mend,mended,mends  paint,painted,paints  choose,chose,chooses,chosen
    study,studied,studies  count,counted,counts  measure,measured,measures
    protect,protected,protects  hide,hid,hides,hidden  offer,offered,offers
    thank,thanked,thanks  greet,greeted,greets  borrow,borrowed,borrows
    return,returned,returns  collect,collected,collects  prepare,prepared,prepares
    finish,finished,finishes  start,started,starts  wear,wore,wears,worn
    win,won,wins  feed,fed,feeds  repair,repaired,repairs  order,ordered,orders
    accept,accepted,accepts  discover,discovered,discovers  hate,hated,hates
";

/// Intransitive verbs, in the same notation.
const INTRANSITIVE_VERBS: &str = "
    go,went,goes,gone  come,came,comes,come  live,lived,lives  work,worked,works
    stay,stayed,stays  wait,waited,waits  walk,walked,walks  run,ran,runs,run
    sit,sat,sits  stand,stood,stands  arrive,arrived,arrives  leave,left,leaves
    sleep,slept,sleeps  laugh,laughed,laughs  smile,smiled,smiles  talk,talked,talks
    speak,spoke,speaks,spoken  listen,listened,listens  play,played,plays
    happen,happened,happens  change,changed,changes  grow,grew,grows,grown
    begin,began,begins,begun  stop,stopped,stops  return,returned,returns
    travel,travelled,travels  fall,fell,falls,fallen  rise,rose,rises,risen
    cry,cried,cries  sing,sang,sings,sung  dance,danced,dances  swim,swam,swims,swum
    climb,climbed,climbs  rest,rested,rests  hurry,hurried,hurries  agree,agreed,agrees
    complain,complained,complains  shout,shouted,shouts  whisper,whispered,whispers
    disappear,disappeared,disappears  appear,appeared,appears  survive,survived,survives
    wake,woke,wakes,woken  shine,shone,shines  burn,burned,burns  freeze,froze,freezes,frozen
    lie,lay,lies,lain  wonder,wondered,wonders  fail,failed,fails  turn,turned,turns
";

/// Verbs that take a `to` infinitive, in the same notation.
const INFINITIVE_VERBS: &str = "
    want,wanted,wants  need,needed,needs  try,tried,tries  like,liked,likes
    decide,decided,decides  hope,hoped,hopes  begin,began,begins,begun  start,started,starts
    seem,seemed,seems  plan,planned,plans  learn,learned,learns  forget,forgot,forgets,forgotten
    remember,remembered,remembers  refuse,refused,refuses  promise,promised,promises
    agree,agreed,agrees  prefer,preferred,prefers  love,loved,loves  hate,hated,hates
    offer,offered,offers  manage,managed,manages  expect,expected,expects
    continue,continued,continues  choose,chose,chooses,chosen
";

/// Adverbs that end a verb phrase.
const ADVERBS: &str = "
    again today there here now then later together well away back home too early late
    slowly quickly quietly carefully suddenly finally happily sadly gently loudly
    patiently eagerly calmly badly alone tomorrow yesterday anyway instead
";

/// Adverbs that stand before the verb.
const PRE_VERB_ADVERBS: &str = "
    also just never always often still only even already usually sometimes soon rarely
    really almost finally suddenly quickly
";

/// Prepositions that follow verbs and nouns (`of` has its own rule).
const PREPOSITIONS: &str = "
    in to on at for with from by about into through over after before under near across
    around without along behind between during towards past beside above below inside outside
";

/// Subjects like `everyone` and `nobody`: `(word, singular)`.
const INDEFINITE_SUBJECTS: &[(&str, bool)] = &[
    ("everyone", true),
    ("people", false),
    ("nobody", true),
    ("someone", true),
    ("everybody", true),
    ("nothing", true),
    ("everything", true),
    ("others", false),
];
/// Objects like `something`.
const INDEFINITE_OBJECTS: &[&str] = &["something", "everything", "nothing", "someone", "people"];

/// Conjunctions joining two clauses with a comma.
const COORDINATORS: &[&str] = &["and", "but", "so", "and then", "yet", "or"];
/// Subordinating conjunctions.
const SUBORDINATORS: &[&str] = &[
    "when",
    "because",
    "although",
    "while",
    "after",
    "before",
    "until",
    "if",
    "since",
    "as soon as",
    "even though",
    "as",
    "once",
];
/// Sentence openers.
const OPENERS: &[&str] = &[
    "In the end",
    "For a while",
    "At first",
    "After that",
    "Later",
    "Even so",
    "Of course",
    "In the morning",
    "By the evening",
    "Every year",
    "Once",
    "Meanwhile",
    "Afterwards",
    "Perhaps",
    "In those days",
    "On most days",
    "Without a word",
    "For many years",
    "Then",
    "Now",
    "Sometimes",
    "Still",
    "Luckily",
    "Unfortunately",
    "In fact",
];
/// Modal auxiliaries (they take the base form and do not agree).
const MODALS: &[&str] = &[
    "would", "could", "can", "will", "should", "might", "must", "may",
];
/// Degree words before an adjective.
const DEGREES: &[&str] = &[
    "very", "quite", "too", "not", "rather", "so", "really", "a little",
];
/// Subject pronouns: `(subject, object, singular third person)`.
const PRONOUNS: &[(&str, &str, bool)] = &[
    ("he", "him", true),
    ("she", "her", true),
    ("it", "it", true),
    ("they", "them", false),
    ("we", "us", false),
    ("I", "me", false),
    ("you", "you", false),
];
const SINGULAR_DETERMINERS: &[&str] = &[
    "the", "the", "the", "the", "a", "a", "a", "this", "that", "every", "each", "his", "her",
    "their", "our", "my", "its", "one", "another", "your", "no",
];
const PLURAL_DETERMINERS: &[&str] = &[
    "the",
    "the",
    "the",
    "some",
    "many",
    "few",
    "these",
    "those",
    "their",
    "our",
    "his",
    "her",
    "my",
    "two",
    "three",
    "several",
    "all the",
    "most of the",
    "other",
];
const MASS_DETERMINERS: &[&str] = &[
    "", "", "the", "the", "some", "more", "little", "no", "enough", "much",
];

/// Weight offset of the Zipf-like word choice: rank `r` (0-based) has weight `1 / (r + 4)`.
const ZIPF_OFFSET: f64 = 4.0;

/// A verb's forms.
#[derive(Debug, Clone, Copy)]
struct Verb {
    base: &'static str,
    past: &'static str,
    third: &'static str,
    participle: &'static str,
}

/// A countable noun's forms.
#[derive(Debug, Clone)]
struct Noun {
    singular: &'static str,
    plural: String,
    person: bool,
}

/// A word list with Zipf-like weights by rank.
struct Ranked<T> {
    items: Vec<T>,
    weights: Option<WeightedIndex<f64>>,
}

impl<T> Ranked<T> {
    fn new(items: Vec<T>) -> Self {
        let weights = (0..items.len()).map(|rank| 1.0 / (rank as f64 + ZIPF_OFFSET));
        Self {
            weights: WeightedIndex::new(weights).ok(),
            items,
        }
    }

    fn pick(&self, rng: &mut ChaCha8Rng) -> Option<&T> {
        let index = self.weights.as_ref()?.sample(rng);
        self.items.get(index)
    }
}

/// The parsed lexicon.
struct Lexicon {
    nouns: Ranked<Noun>,
    mass_nouns: Ranked<&'static str>,
    names: Vec<&'static str>,
    adjectives: Ranked<&'static str>,
    transitive: Ranked<Verb>,
    intransitive: Ranked<Verb>,
    infinitive: Ranked<Verb>,
    adverbs: Ranked<&'static str>,
    pre_verb_adverbs: Ranked<&'static str>,
    prepositions: Ranked<&'static str>,
}

/// The regular English plural: `-ies` after a consonant and `y`, `-es` after a sibilant.
fn regular_plural(noun: &str) -> String {
    let consonant_y = noun.ends_with('y')
        && !noun.ends_with("ay")
        && !noun.ends_with("ey")
        && !noun.ends_with("oy");
    if let Some(stem) = noun.strip_suffix('y').filter(|_| consonant_y) {
        format!("{stem}ies")
    } else if ["s", "sh", "ch", "x"].iter().any(|e| noun.ends_with(e)) {
        format!("{noun}es")
    } else {
        format!("{noun}s")
    }
}

fn parse_verbs(list: &'static str) -> Vec<Verb> {
    list.split_whitespace()
        .filter_map(|entry| {
            let mut forms = entry.split(',');
            let base = forms.next()?;
            let past = forms.next()?;
            let third = forms.next()?;
            Some(Verb {
                base,
                past,
                third,
                participle: forms.next().unwrap_or(past),
            })
        })
        .collect()
}

fn parse_nouns(list: &'static str, person: bool) -> impl Iterator<Item = Noun> {
    list.split_whitespace()
        .map(move |entry| match entry.split_once(':') {
            Some((singular, plural)) => Noun {
                singular,
                plural: plural.to_owned(),
                person,
            },
            None => Noun {
                singular: entry,
                plural: regular_plural(entry),
                person,
            },
        })
}

/// Interleaves two ranked lists so that both keep their own order of frequency.
fn interleave<T>(a: Vec<T>, b: Vec<T>) -> Vec<T> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut a, mut b) = (a.into_iter(), b.into_iter());
    loop {
        match (a.next(), b.next()) {
            (None, None) => return out,
            (x, y) => out.extend(x.into_iter().chain(y)),
        }
    }
}

impl Lexicon {
    fn build() -> Self {
        let nouns = interleave(
            parse_nouns(PEOPLE, true).collect(),
            parse_nouns(THINGS, false).collect(),
        );
        let words = |list: &'static str| Ranked::new(list.split_whitespace().collect());
        Self {
            nouns: Ranked::new(nouns),
            mass_nouns: words(MASS_NOUNS),
            names: NAMES.split_whitespace().collect(),
            adjectives: words(ADJECTIVES),
            transitive: Ranked::new(parse_verbs(TRANSITIVE_VERBS)),
            intransitive: Ranked::new(parse_verbs(INTRANSITIVE_VERBS)),
            infinitive: Ranked::new(parse_verbs(INFINITIVE_VERBS)),
            adverbs: words(ADVERBS),
            pre_verb_adverbs: words(PRE_VERB_ADVERBS),
            prepositions: words(PREPOSITIONS),
        }
    }

    fn shared() -> &'static Self {
        static LEXICON: OnceLock<Lexicon> = OnceLock::new();
        LEXICON.get_or_init(Self::build)
    }
}

/// Whether verbs are in the past or the present.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tense {
    Past,
    Present,
}

/// A noun phrase and whether it is singular (for agreement).
struct Phrase {
    words: Vec<String>,
    singular: bool,
}

/// Generates sentences over [`Lexicon::shared`] from one seeded stream.
struct Writer<'r> {
    rng: &'r mut ChaCha8Rng,
    lexicon: &'static Lexicon,
    tense: Tense,
}

fn one<'a>(rng: &mut ChaCha8Rng, words: &[&'a str]) -> &'a str {
    words.choose(rng).copied().unwrap_or("")
}

fn ranked(rng: &mut ChaCha8Rng, words: &Ranked<&'static str>) -> String {
    words.pick(rng).copied().unwrap_or("").to_owned()
}

impl Writer<'_> {
    fn chance(&mut self, p: f64) -> bool {
        self.rng.random_bool(p)
    }

    /// `a` becomes `an` before a vowel.
    fn article(determiner: &str, next: &str) -> String {
        let vowel = next.starts_with(['a', 'e', 'i', 'o', 'u']);
        if determiner == "a" && vowel {
            "an".to_owned()
        } else {
            determiner.to_owned()
        }
    }

    /// A noun phrase; `depth` limits nested modifiers.
    fn noun_phrase(&mut self, depth: u32) -> Phrase {
        let lexicon = self.lexicon;
        let roll: f64 = self.rng.random();
        if roll < 0.07 {
            return Phrase {
                words: vec![one(self.rng, &lexicon.names).to_owned()],
                singular: true,
            };
        }
        let (determiner, noun, singular, person) = if roll < 0.19 {
            let noun = ranked(self.rng, &lexicon.mass_nouns);
            (one(self.rng, MASS_DETERMINERS), noun, true, false)
        } else {
            let plural = roll >= 0.62;
            let (noun, person) = match lexicon.nouns.pick(self.rng) {
                Some(n) if plural => (n.plural.clone(), n.person),
                Some(n) => (n.singular.to_owned(), n.person),
                None => ("thing".to_owned(), false),
            };
            let determiners = if plural {
                PLURAL_DETERMINERS
            } else {
                SINGULAR_DETERMINERS
            };
            (one(self.rng, determiners), noun, !plural, person)
        };
        let mut modifiers = Vec::new();
        if self.chance(0.35) {
            modifiers.push(ranked(self.rng, &lexicon.adjectives));
            if self.chance(0.12) {
                modifiers.push(ranked(self.rng, &lexicon.adjectives));
            }
        }
        modifiers.push(noun);
        let mut words = Vec::new();
        if !determiner.is_empty() {
            let next = modifiers.first().map(String::as_str).unwrap_or("");
            words.push(Self::article(determiner, next));
        }
        words.extend(modifiers);
        if depth > 0 {
            let roll: f64 = self.rng.random();
            if roll < 0.12 {
                words.push("of".to_owned());
                words.extend(self.noun_phrase(depth - 1).words);
            } else if roll < 0.28 {
                words.extend(self.prepositional_phrase(depth - 1));
            } else if roll < 0.38 {
                let relative = if person {
                    "who"
                } else if self.chance(0.6) {
                    "that"
                } else {
                    "which"
                };
                words.push(relative.to_owned());
                words.extend(self.verb_phrase(singular, depth - 1));
            }
        }
        Phrase { words, singular }
    }

    fn prepositional_phrase(&mut self, depth: u32) -> Vec<String> {
        let mut words = vec![ranked(self.rng, &self.lexicon.prepositions)];
        words.extend(self.object(depth));
        words
    }

    /// A subject: a pronoun, an indefinite (`everyone`) or a noun phrase.
    fn subject(&mut self, depth: u32) -> Phrase {
        let roll: f64 = self.rng.random();
        if roll < 0.35 {
            let (subject, _, singular) = PRONOUNS.choose(self.rng).copied().unwrap_or(PRONOUNS[0]);
            Phrase {
                words: vec![subject.to_owned()],
                singular,
            }
        } else if roll < 0.4 {
            let (word, singular) = INDEFINITE_SUBJECTS
                .choose(self.rng)
                .copied()
                .unwrap_or(INDEFINITE_SUBJECTS[0]);
            Phrase {
                words: vec![word.to_owned()],
                singular,
            }
        } else {
            self.noun_phrase(depth)
        }
    }

    /// An object: an object pronoun, an indefinite (`something`) or a noun phrase.
    fn object(&mut self, depth: u32) -> Vec<String> {
        let roll: f64 = self.rng.random();
        if roll < 0.15 {
            let (_, object, _) = PRONOUNS.choose(self.rng).copied().unwrap_or(PRONOUNS[0]);
            vec![object.to_owned()]
        } else if roll < 0.2 {
            vec![one(self.rng, INDEFINITE_OBJECTS).to_owned()]
        } else {
            self.noun_phrase(depth).words
        }
    }

    /// The finite form of `verb` for a subject of number `singular`.
    fn finite(&self, verb: Verb, singular: bool) -> &'static str {
        match (self.tense, singular) {
            (Tense::Past, _) => verb.past,
            (Tense::Present, true) => verb.third,
            (Tense::Present, false) => verb.base,
        }
    }

    /// The finite form of `be`.
    fn be(&self, singular: bool) -> &'static str {
        match (self.tense, singular) {
            (Tense::Past, true) => "was",
            (Tense::Past, false) => "were",
            (Tense::Present, true) => "is",
            (Tense::Present, false) => "are",
        }
    }

    /// The finite form of `have` (perfect auxiliary).
    fn have(&self, singular: bool) -> &'static str {
        match (self.tense, singular) {
            (Tense::Past, _) => "had",
            (Tense::Present, true) => "has",
            (Tense::Present, false) => "have",
        }
    }

    /// The finite form of `do` (negation).
    fn do_not(&self, singular: bool) -> &'static str {
        match (self.tense, singular) {
            (Tense::Past, _) => "did not",
            (Tense::Present, true) => "does not",
            (Tense::Present, false) => "do not",
        }
    }

    /// A verb of either valency with its object, in the form `form` picks.
    fn predicate(&mut self, depth: u32, form: fn(&Verb) -> &'static str) -> Vec<String> {
        let lexicon = self.lexicon;
        if self.chance(0.6) {
            let verb = lexicon.transitive.pick(self.rng).copied();
            let mut words: Vec<String> = verb.map(|v| form(&v).to_owned()).into_iter().collect();
            words.extend(self.object(depth));
            words
        } else {
            let verb = lexicon.intransitive.pick(self.rng).copied();
            verb.map(|v| form(&v).to_owned()).into_iter().collect()
        }
    }

    fn verb_phrase(&mut self, singular: bool, depth: u32) -> Vec<String> {
        let lexicon = self.lexicon;
        let roll: f64 = self.rng.random();
        let mut words: Vec<String> = Vec::new();
        if roll < 0.14 {
            words.push(self.be(singular).to_owned());
            if self.chance(0.3) {
                words.push(one(self.rng, DEGREES).to_owned());
            }
            words.push(ranked(self.rng, &lexicon.adjectives));
        } else if roll < 0.18 {
            words.push(self.be(singular).to_owned());
            words.extend(self.prepositional_phrase(depth));
        } else if roll < 0.28 {
            words.push(one(self.rng, MODALS).to_owned());
            if self.chance(0.2) {
                words.push("not".to_owned());
            }
            words.extend(self.predicate(depth, |v| v.base));
        } else if roll < 0.36 {
            words.push(self.have(singular).to_owned());
            if self.chance(0.2) {
                words.push(ranked(self.rng, &lexicon.pre_verb_adverbs));
            }
            words.extend(self.predicate(depth, |v| v.participle));
        } else if roll < 0.41 {
            words.push(self.do_not(singular).to_owned());
            words.extend(self.predicate(depth, |v| v.base));
        } else if roll < 0.5 {
            let verb = lexicon.infinitive.pick(self.rng).copied();
            words.extend(verb.map(|v| self.finite(v, singular).to_owned()));
            words.push("to".to_owned());
            words.extend(self.predicate(depth, |v| v.base));
        } else {
            if self.chance(0.12) {
                words.push(ranked(self.rng, &lexicon.pre_verb_adverbs));
            }
            if self.chance(0.6) {
                let verb = lexicon.transitive.pick(self.rng).copied();
                words.extend(verb.map(|v| self.finite(v, singular).to_owned()));
                words.extend(self.object(depth));
            } else {
                let verb = lexicon.intransitive.pick(self.rng).copied();
                words.extend(verb.map(|v| self.finite(v, singular).to_owned()));
            }
        }
        if depth > 0 && self.chance(0.35) {
            words.extend(self.prepositional_phrase(depth - 1));
        }
        if self.chance(0.15) {
            words.push(ranked(self.rng, &lexicon.adverbs));
        }
        words
    }

    fn clause(&mut self) -> Vec<String> {
        let subject = self.subject(2);
        let mut words = subject.words;
        words.extend(self.verb_phrase(subject.singular, 2));
        words
    }

    /// `there was a boat near the bridge`.
    fn existential(&mut self) -> Vec<String> {
        let phrase = self.noun_phrase(1);
        let mut words = vec!["there".to_owned(), self.be(phrase.singular).to_owned()];
        words.extend(phrase.words);
        if self.chance(0.6) {
            words.extend(self.prepositional_phrase(1));
        }
        words
    }

    /// `it was hard to find the key`.
    fn extraposed(&mut self) -> Vec<String> {
        let mut words = vec!["it".to_owned(), self.be(true).to_owned()];
        if self.chance(0.3) {
            words.push(one(self.rng, DEGREES).to_owned());
        }
        words.push(ranked(self.rng, &self.lexicon.adjectives));
        words.push("to".to_owned());
        words.extend(self.predicate(1, |v| v.base));
        words
    }

    /// One sentence, capitalised and ending in a full stop.
    fn sentence(&mut self) -> String {
        let mut words: Vec<String> = Vec::new();
        let roll: f64 = self.rng.random();
        if roll < 0.14 {
            words.push(format!("{},", one(self.rng, OPENERS)));
        } else if roll < 0.28 {
            words.push(one(self.rng, SUBORDINATORS).to_owned());
            words.extend(self.clause());
            if let Some(last) = words.last_mut() {
                last.push(',');
            }
        }
        let main: f64 = self.rng.random();
        if main < 0.06 {
            words.extend(self.existential());
        } else if main < 0.1 {
            words.extend(self.extraposed());
        } else {
            words.extend(self.clause());
        }
        if self.chance(0.25) {
            if let Some(last) = words.last_mut() {
                last.push(',');
            }
            words.push(one(self.rng, COORDINATORS).to_owned());
            words.extend(self.clause());
        } else if self.chance(0.15) {
            words.push(one(self.rng, SUBORDINATORS).to_owned());
            words.extend(self.clause());
        }
        let mut sentence = words.join(" ");
        if let Some(first) = sentence.get(..1) {
            sentence.replace_range(..1, &first.to_uppercase());
        }
        sentence.push('.');
        sentence
    }
}

/// A paragraph of 3 to 7 sentences in one tense.
pub fn paragraph(rng: &mut ChaCha8Rng) -> String {
    let tense = if rng.random_bool(0.6) {
        Tense::Past
    } else {
        Tense::Present
    };
    let count = rng.random_range(3..=7);
    let mut writer = Writer {
        rng,
        lexicon: Lexicon::shared(),
        tense,
    };
    (0..count)
        .map(|_| writer.sentence())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_chacha::rand_core::SeedableRng;

    #[test]
    fn plurals_follow_the_spelling_rules() {
        assert_eq!(regular_plural("city"), "cities");
        assert_eq!(regular_plural("day"), "days");
        assert_eq!(regular_plural("church"), "churches");
        assert_eq!(regular_plural("box"), "boxes");
        assert_eq!(regular_plural("farmer"), "farmers");
    }

    #[test]
    fn the_lexicon_is_broad() {
        let lexicon = Lexicon::shared();
        assert!(
            lexicon.nouns.items.len() >= 250,
            "{}",
            lexicon.nouns.items.len()
        );
        assert!(lexicon.adjectives.items.len() >= 120);
        assert!(lexicon.transitive.items.len() >= 90);
        assert!(lexicon.intransitive.items.len() >= 50);
        assert!(lexicon.infinitive.items.len() >= 20);
        // Every verb entry parsed into its forms; the participle defaults to the past.
        let entries = TRANSITIVE_VERBS.split_whitespace().count();
        assert_eq!(lexicon.transitive.items.len(), entries);
        let take = lexicon.transitive.items.iter().find(|v| v.base == "take");
        assert_eq!(take.map(|v| v.participle), Some("taken"));
        let help = lexicon.transitive.items.iter().find(|v| v.base == "help");
        assert_eq!(help.map(|v| v.participle), Some("helped"));
        assert!(lexicon.nouns.items.iter().any(|n| n.person));
    }

    #[test]
    fn words_follow_a_zipf_like_law() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let adjectives = &Lexicon::shared().adjectives;
        let mut counts = vec![0u32; adjectives.items.len()];
        for _ in 0..20_000 {
            let word = adjectives.pick(&mut rng).copied().unwrap_or("");
            let rank = adjectives.items.iter().position(|w| *w == word);
            if let Some(count) = rank.and_then(|r| counts.get_mut(r)) {
                *count += 1;
            }
        }
        // Rank 0 has weight 1/4, rank 36 weight 1/40: about ten times as often.
        let ratio = f64::from(counts[0]) / f64::from(counts[36].max(1));
        assert!((6.0..16.0).contains(&ratio), "{ratio} from {counts:?}");
        assert!(counts.iter().all(|&c| c > 0), "every word occurs");
    }

    #[test]
    fn sentences_are_varied_and_well_formed() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let paragraphs: Vec<String> = (0..300).map(|_| paragraph(&mut rng)).collect();
        let sentences: Vec<&str> = paragraphs
            .iter()
            .flat_map(|p| p.split_inclusive(". "))
            .map(str::trim)
            .collect();
        assert!(sentences.len() > 1000);
        for sentence in &sentences {
            assert!(sentence.ends_with('.'), "{sentence}");
            let first = sentence.chars().next().unwrap_or(' ');
            assert!(first.is_uppercase(), "{sentence}");
            assert!(!sentence.contains("  "), "{sentence}");
        }
        let distinct: std::collections::BTreeSet<&&str> = sentences.iter().collect();
        assert!(
            distinct.len() * 100 >= sentences.len() * 97,
            "{} distinct of {}",
            distinct.len(),
            sentences.len()
        );
        // Agreement: a singular pronoun never takes a plural present copula, and `a` becomes
        // `an` before a vowel.
        let text = paragraphs.join(" ");
        assert!(!text.contains("he are") && !text.contains("they is"));
        assert!(!text.contains("he have ") && !text.contains("they has "));
        assert!(!text.contains(" a apple") && !text.contains(" a old"));
        // The constructions English leans on all occur.
        for needle in [
            " of ",
            " to ",
            " who ",
            " had ",
            " did not ",
            "There ",
            "It ",
        ] {
            assert!(text.contains(needle), "no {needle:?}");
        }
    }
}
