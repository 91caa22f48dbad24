//! serde support (the `serde` feature): results, trials, points and values
//! serialize with the key names of the library's JSON file
//! (`docs/RESULTS.md`), so a result sent through serde reads like one written
//! by [`OptimizationResult::write_json`]. Values and points also deserialize
//! (to feed a stored point back, for instance).
use crate::result::{OptimizationResult, Trial, TrialStatus};
use crate::value::{Point, Value};
use serde::de::{self, Deserialize, Deserializer, MapAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, SerializeStruct, Serializer};
use std::fmt;

impl Serialize for Value {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Int(v) => s.serialize_i64(*v),
            Value::Float(v) => s.serialize_f64(*v),
            Value::Choice(v) => s.serialize_str(v),
        }
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Value, D::Error> {
        struct ValueVisitor;
        impl Visitor<'_> for ValueVisitor {
            type Value = Value;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an integer, a number or a string")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
                Ok(Value::Int(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
                i64::try_from(v)
                    .map(Value::Int)
                    .map_err(|_| E::custom(format!("{v} is past the range of an int parameter")))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
                Ok(Value::Float(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
                Ok(Value::Choice(v.to_owned()))
            }
        }
        d.deserialize_any(ValueVisitor)
    }
}

impl Serialize for Point {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.len()))?;
        for (name, value) in self.iter() {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Point {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Point, D::Error> {
        struct PointVisitor;
        impl<'de> Visitor<'de> for PointVisitor {
            type Value = Point;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map of parameter names to values")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Point, A::Error> {
                let mut entries = Vec::new();
                while let Some((name, value)) = map.next_entry::<String, Value>()? {
                    entries.push((name, value));
                }
                Ok(Point::from_entries(entries)) // declaration order kept
            }
        }
        d.deserialize_map(PointVisitor)
    }
}

impl Serialize for TrialStatus {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.name())
    }
}

/// The metrics as a map, `null` where the trial did not report one (as NaN).
struct Metrics<'a>(&'a Trial);

impl Serialize for Metrics<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        for (name, value) in self.0.metrics() {
            map.serialize_entry(name, &(!value.is_nan()).then_some(value))?;
        }
        map.end()
    }
}

impl Serialize for Trial {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut t = s.serialize_struct("Trial", 7)?;
        t.serialize_field("id", &self.number)?;
        t.serialize_field("params", &self.params)?;
        t.serialize_field("score", &self.score)?;
        t.serialize_field("metrics", &Metrics(self))?;
        t.serialize_field("status", &self.status)?;
        t.serialize_field("error", &self.error)?;
        t.serialize_field("seconds", &self.seconds)?;
        t.end()
    }
}

impl Serialize for OptimizationResult {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let best = self.best_trial();
        let mut r = s.serialize_struct("OptimizationResult", 13)?;
        r.serialize_field("best_params", &best.map(|t| &t.params))?;
        r.serialize_field("best_score", &best.and_then(|t| t.score))?;
        r.serialize_field("best_metrics", &best.map(Metrics))?;
        r.serialize_field("n_trials", &self.started_count())?;
        r.serialize_field("n_jobs", &self.workers())?;
        r.serialize_field("wall_seconds", &self.wall_seconds())?;
        r.serialize_field("eval_seconds", &self.eval_seconds())?;
        r.serialize_field("speedup", &self.speedup())?;
        r.serialize_field("efficiency", &self.efficiency())?;
        r.serialize_field("speedup_cpu_share", &self.speedup_cpu_share())?;
        r.serialize_field("n_reused", &self.reused_count())?;
        // The JSON text the library made (docs/STUDIES.md); "" without a study.
        r.serialize_field("provenance", self.provenance())?;
        r.serialize_field("trials", self.trials())?;
        r.end()
    }
}
