//! A seeded probabilistic grammar of plain English prose: the clean corpus's generator.
//!
//! Sentences are built from phrase rules (noun phrases with determiners, adjectives and
//! prepositional or relative modifiers; transitive, intransitive, copular and modal verb
//! phrases; openers and subordinate clauses joined by conjunctions) over a lexicon of a few
//! hundred words per open class. Number and tense agree: a paragraph keeps one tense, and a
//! present-tense verb takes its `-s` form after a singular subject. The output therefore has
//! English syntax and function-word statistics while almost never repeating a sentence, so a
//! probe trained on it learns English word order rather than memorising a text.
//!
//! The lexicon is written for this module (its own word lists); it shares no sentences with the
//! held-out prose the experiment evaluates on.

use std::sync::OnceLock;

use rand::Rng;
use rand::seq::IndexedRandom;
use rand_chacha::ChaCha8Rng;

/// Countable nouns, singular; `singular:plural` where the plural is irregular.
const NOUNS: &str = "
    farmer river village market teacher garden bridge window letter road forest harbour
    child:children doctor kitchen storm mountain neighbour train field house lamp boat city
    school morning evening night winter summer spring autumn year week day hour minute
    man:men woman:women family friend brother sister mother father uncle aunt cousin
    baby student worker driver nurse soldier sailor fisherman:fishermen baker painter
    writer singer priest judge king queen prince stranger visitor traveller guest owner
    shop street square station church castle tower wall door gate roof floor room bed
    table chair cup plate bottle box bag basket coat hat shoe glove book page story song
    picture map key knife:knives spoon pot stove fire candle clock bell rope chain wheel
    cart horse cow sheep:sheep dog cat bird fish:fish mouse:mice fox wolf:wolves bear
    tree flower leaf:leaves branch root seed apple potato onion loaf:loaves cake egg
    stone rock hill valley lake pond beach island path fence barn farm mill well
    cloud wind rain snow sky star moon sun wave shore cliff cave meadow orchard
    question answer idea plan problem reason mistake promise secret message rule law
    machine engine computer phone camera radio car bus ship plane bicycle ticket
    museum library hospital office factory hotel restaurant theatre prison court
    town country nation government council company team club army crowd
    lesson exam game match race journey holiday festival wedding party meeting
    voice face hand eye shoulder heart mind memory dream fear hope habit
    coin price wage bill debt gift prize list note report sign symbol word name
";

/// Mass and abstract nouns that take no article or `some`.
const MASS_NOUNS: &str = "
    water bread milk tea coffee soup rice salt sugar butter cheese honey wood iron gold
    silver paper glass cloth wool sand dust mud smoke light darkness silence music news
    advice information money time work weather traffic furniture luggage knowledge
    patience courage kindness anger pride luck help peace noise laughter
";

/// Names of people and places.
const NAMES: &str = "
    Anna Ben Clara David Emma Frank Grace Henry Iris Jack Laura Martin Nora Oliver Paul
    Rosa Sam Thomas Vera William Hannah Leo Mia Peter Ruth Simon Tessa Victor Alice Edward
";

/// Adjectives.
const ADJECTIVES: &str = "
    old young new small large little big long short tall high low wide narrow deep
    heavy light dark bright quiet loud warm cold hot cool wet dry clean dirty empty full
    quick slow early late strong weak soft hard rough smooth sharp simple strange
    familiar careful careless patient busy lazy tired hungry happy sad angry proud
    kind cruel gentle honest clever foolish brave nervous calm wild tame rich poor
    cheap expensive beautiful ugly pleasant ordinary famous common rare useful useless
    important serious difficult easy safe dangerous public private local foreign
    green red blue white black yellow grey brown golden wooden broken hidden open
    favourite whole single main final ancient modern fresh ripe sweet bitter thin thick
";

/// Transitive verbs: `base past third-person`.
const TRANSITIVE_VERBS: &str = "
    carry,carried,carries  open,opened,opens  close,closed,closes  find,found,finds
    bring,brought,brings  take,took,takes  make,made,makes  build,built,builds
    paint,painted,paints  write,wrote,writes  read,read,reads  sell,sold,sells
    buy,bought,buys  watch,watched,watches  see,saw,sees  hear,heard,hears
    follow,followed,follows  visit,visited,visits  help,helped,helps  call,called,calls
    teach,taught,teaches  meet,met,meets  leave,left,leaves  keep,kept,keeps
    lose,lost,loses  mend,mended,mends  clean,cleaned,cleans  wash,washed,washes
    fill,filled,fills  push,pushed,pushes  pull,pulled,pulls  lift,lifted,lifts
    drop,dropped,drops  hold,held,holds  throw,threw,throws  catch,caught,catches
    cook,cooked,cooks  eat,ate,eats  drink,drank,drinks  grow,grew,grows
    plant,planted,plants  cut,cut,cuts  break,broke,breaks  fix,fixed,fixes
    remember,remembered,remembers  forget,forgot,forgets  answer,answered,answers
    explain,explained,explains  describe,described,describes  need,needed,needs
    want,wanted,wants  like,liked,likes  love,loved,loves  hate,hated,hates
    prefer,preferred,prefers  choose,chose,chooses  study,studied,studies
    count,counted,counts  measure,measured,measures  check,checked,checks
    share,shared,shares  send,sent,sends  receive,received,receives
    protect,protected,protects  guard,guarded,guards  hide,hid,hides
    show,showed,shows  give,gave,gives  offer,offered,offers  pay,paid,pays
    ask,asked,asks  tell,told,tells  thank,thanked,thanks  greet,greeted,greets
    borrow,borrowed,borrows  return,returned,returns  collect,collected,collects
    prepare,prepared,prepares  finish,finished,finishes  start,started,starts
";

/// Intransitive verbs: `base past third-person`.
const INTRANSITIVE_VERBS: &str = "
    arrive,arrived,arrives  leave,left,leaves  wait,waited,waits  sleep,slept,sleeps
    laugh,laughed,laughs  smile,smiled,smiles  cry,cried,cries  sing,sang,sings
    dance,danced,dances  walk,walked,walks  run,ran,runs  swim,swam,swims
    climb,climbed,climbs  fall,fell,falls  rise,rose,rises  shine,shone,shines
    work,worked,works  rest,rested,rests  stay,stayed,stays  live,lived,lives
    travel,travelled,travels  return,returned,returns  listen,listened,listens
    speak,spoke,speaks  talk,talked,talks  shout,shouted,shouts  whisper,whispered,whispers
    agree,agreed,agrees  complain,complained,complains  hurry,hurried,hurries
    stop,stopped,stops  begin,began,begins  change,changed,changes  grow,grew,grows
    disappear,disappeared,disappears  appear,appeared,appears  survive,survived,survives
    sit,sat,sits  stand,stood,stands  lie,lay,lies  burn,burned,burns  freeze,froze,freezes
";

/// Adverbs of manner and time.
const ADVERBS: &str = "
    slowly quickly quietly loudly carefully gently suddenly finally happily sadly
    patiently eagerly calmly badly well early late again together alone often rarely
    sometimes always never usually soon already still today yesterday tomorrow
";

/// Prepositions that introduce places and times.
const PREPOSITIONS: &str = "
    in on under over behind beside near across along through into onto from towards
    around above below between after before during without with inside outside past
";

/// Conjunctions joining two clauses with a comma.
const COORDINATORS: &[&str] = &["and", "but", "so", "yet", "or"];
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
];
/// Modal auxiliaries (they take the base form and do not agree).
const MODALS: &[&str] = &[
    "could", "would", "should", "might", "must", "can", "will", "may",
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
    "the", "the", "the", "a", "a", "this", "that", "every", "each", "his", "her", "their", "our",
    "my", "its", "one", "another",
];
const PLURAL_DETERMINERS: &[&str] = &[
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
    "two",
    "three",
    "several",
    "all the",
    "most of the",
];
const MASS_DETERMINERS: &[&str] = &["", "", "the", "some", "more", "little", "no", "enough"];

/// A verb's forms.
#[derive(Debug, Clone, Copy)]
struct Verb {
    base: &'static str,
    past: &'static str,
    third: &'static str,
}

/// A countable noun's forms.
#[derive(Debug, Clone)]
struct Noun {
    singular: &'static str,
    plural: String,
}

/// The parsed lexicon.
struct Lexicon {
    nouns: Vec<Noun>,
    mass_nouns: Vec<&'static str>,
    names: Vec<&'static str>,
    adjectives: Vec<&'static str>,
    transitive: Vec<Verb>,
    intransitive: Vec<Verb>,
    adverbs: Vec<&'static str>,
    prepositions: Vec<&'static str>,
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
            Some(Verb {
                base: forms.next()?,
                past: forms.next()?,
                third: forms.next()?,
            })
        })
        .collect()
}

impl Lexicon {
    fn build() -> Self {
        let nouns = NOUNS
            .split_whitespace()
            .map(|entry| match entry.split_once(':') {
                Some((singular, plural)) => Noun {
                    singular,
                    plural: plural.to_owned(),
                },
                None => Noun {
                    singular: entry,
                    plural: regular_plural(entry),
                },
            })
            .collect();
        let words = |list: &'static str| list.split_whitespace().collect();
        Self {
            nouns,
            mass_nouns: words(MASS_NOUNS),
            names: words(NAMES),
            adjectives: words(ADJECTIVES),
            transitive: parse_verbs(TRANSITIVE_VERBS),
            intransitive: parse_verbs(INTRANSITIVE_VERBS),
            adverbs: words(ADVERBS),
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
        if roll < 0.08 {
            return Phrase {
                words: vec![one(self.rng, &lexicon.names).to_owned()],
                singular: true,
            };
        }
        let (determiner, noun, singular) = if roll < 0.18 {
            let noun = one(self.rng, &lexicon.mass_nouns);
            (one(self.rng, MASS_DETERMINERS), noun.to_owned(), true)
        } else if roll < 0.62 {
            let noun = lexicon.nouns.choose(self.rng).map(|n| n.singular);
            let noun = noun.unwrap_or("thing");
            (one(self.rng, SINGULAR_DETERMINERS), noun.to_owned(), true)
        } else {
            let noun = lexicon.nouns.choose(self.rng).map(|n| n.plural.clone());
            let noun = noun.unwrap_or_else(|| "things".to_owned());
            (one(self.rng, PLURAL_DETERMINERS), noun, false)
        };
        let mut modifiers = Vec::new();
        if self.chance(0.4) {
            modifiers.push(one(self.rng, &lexicon.adjectives).to_owned());
            if self.chance(0.15) {
                modifiers.push(one(self.rng, &lexicon.adjectives).to_owned());
            }
        }
        modifiers.push(noun);
        let mut words = Vec::new();
        if !determiner.is_empty() {
            let next = modifiers.first().map(String::as_str).unwrap_or("");
            words.push(Self::article(determiner, next));
        }
        words.extend(modifiers);
        if depth > 0 && self.chance(0.2) {
            words.extend(self.prepositional_phrase(depth - 1));
        } else if depth > 0 && self.chance(0.12) {
            words.push(if self.chance(0.5) { "that" } else { "which" }.to_owned());
            words.extend(self.verb_phrase(singular, depth - 1));
        }
        Phrase { words, singular }
    }

    fn prepositional_phrase(&mut self, depth: u32) -> Vec<String> {
        let mut words = vec![one(self.rng, &self.lexicon.prepositions).to_owned()];
        words.extend(self.noun_phrase(depth).words);
        words
    }

    /// A subject: a noun phrase or a pronoun.
    fn subject(&mut self, depth: u32) -> Phrase {
        if self.chance(0.35) {
            let (subject, _, singular) = PRONOUNS.choose(self.rng).copied().unwrap_or(PRONOUNS[0]);
            Phrase {
                words: vec![subject.to_owned()],
                singular,
            }
        } else {
            self.noun_phrase(depth)
        }
    }

    /// An object: a noun phrase or an object pronoun.
    fn object(&mut self, depth: u32) -> Vec<String> {
        if self.chance(0.2) {
            let (_, object, _) = PRONOUNS.choose(self.rng).copied().unwrap_or(PRONOUNS[0]);
            vec![object.to_owned()]
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

    fn verb_phrase(&mut self, singular: bool, depth: u32) -> Vec<String> {
        let lexicon = self.lexicon;
        let roll: f64 = self.rng.random();
        let mut words: Vec<String> = Vec::new();
        if roll < 0.15 {
            words.push(self.be(singular).to_owned());
            if self.chance(0.3) {
                words.push(one(self.rng, &["very", "quite", "too", "not", "rather"]).to_owned());
            }
            words.push(one(self.rng, &lexicon.adjectives).to_owned());
        } else if roll < 0.27 {
            words.push(one(self.rng, MODALS).to_owned());
            if self.chance(0.2) {
                words.push("not".to_owned());
            }
            let verb = lexicon.transitive.choose(self.rng).copied();
            words.extend(verb.map(|v| v.base.to_owned()));
            words.extend(self.object(depth));
        } else if roll < 0.67 {
            let verb = lexicon.transitive.choose(self.rng).copied();
            words.extend(verb.map(|v| self.finite(v, singular).to_owned()));
            words.extend(self.object(depth));
        } else {
            let verb = lexicon.intransitive.choose(self.rng).copied();
            words.extend(verb.map(|v| self.finite(v, singular).to_owned()));
        }
        if depth > 0 && self.chance(0.35) {
            words.extend(self.prepositional_phrase(depth - 1));
        }
        if self.chance(0.2) {
            words.push(one(self.rng, &lexicon.adverbs).to_owned());
        }
        words
    }

    fn clause(&mut self) -> Vec<String> {
        let subject = self.subject(2);
        let mut words = subject.words;
        words.extend(self.verb_phrase(subject.singular, 2));
        words
    }

    /// One sentence, capitalised and ending in a full stop.
    fn sentence(&mut self) -> String {
        let mut words: Vec<String> = Vec::new();
        let roll: f64 = self.rng.random();
        if roll < 0.15 {
            words.push(format!("{},", one(self.rng, OPENERS)));
        } else if roll < 0.3 {
            words.push(one(self.rng, SUBORDINATORS).to_owned());
            words.extend(self.clause());
            if let Some(last) = words.last_mut() {
                last.push(',');
            }
        }
        words.extend(self.clause());
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
        assert!(lexicon.nouns.len() >= 240, "{}", lexicon.nouns.len());
        assert!(lexicon.adjectives.len() >= 110);
        assert!(lexicon.transitive.len() >= 70);
        assert!(lexicon.intransitive.len() >= 40);
        // Every verb entry parsed into three forms.
        let entries = TRANSITIVE_VERBS.split_whitespace().count();
        assert_eq!(lexicon.transitive.len(), entries);
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
        // Agreement: a singular pronoun never takes a plural present copula.
        let text = paragraphs.join(" ");
        assert!(!text.contains("he are") && !text.contains("they is"));
        assert!(!text.contains(" a apple") && !text.contains(" a old"));
    }
}
