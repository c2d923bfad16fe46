//! The registry of primitive operations: the one place that says what each native operation
//! is called, what type it has, and (in `prim/apply.rs`) what it computes.
//!
//! The checker types calls of the standard library with [`Prim::instantiate`], and the
//! verifier checks every `prim` node of an artifact with the same function, so the compiler
//! and the VM can never disagree about a primitive's type. The surface names users write
//! (`Map.insert`) live in the `stdlib` crate, which maps them onto these.
//!
//! Calling convention: a primitive of one parameter takes its argument as is; a primitive of
//! n >= 2 parameters takes an n-tuple (what a fork `&&&` of the arguments produces).

use crate::types::Type;
use serde::{Deserialize, Serialize};

mod apply;

/// A primitive operation. The discriminant order is part of the bytecode format: append new
/// primitives at the end and never reorder.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Prim {
    /// `(Int, Int) -> Int`; traps on overflow.
    Add,
    /// `(Int, Int) -> Int`; traps on overflow.
    Sub,
    /// `(Int, Int) -> Int`; traps on overflow.
    Mul,
    /// `(Int, Int) -> Int`, truncating; traps on division by zero and on `MIN / -1`.
    Div,
    /// `(Int, Int) -> Int`, the remainder with the sign of the dividend; traps like `Div`.
    Rem,
    /// `Int -> Int`; traps on `-MIN`.
    Neg,
    /// `(T, T) -> Bool`, structural equality.
    Eq,
    /// `(T, T) -> Bool`.
    Ne,
    /// `(T, T) -> Bool` where T is `Int` or `String` (strings compare by bytes).
    Lt,
    Le,
    Gt,
    Ge,
    /// `Bool -> Bool`.
    Not,
    /// `Bool -> Unit`; traps with "assertion failed" on `false`.
    Assert,
    /// `(String, String) -> String`, the `++` operator.
    Concat,
    /// `String -> Int`, the length in Unicode scalar values.
    StrLen,
    /// `Int -> String`, decimal.
    IntToString,
    /// `(String, String) -> Bool`: does the first contain the second.
    StrContains,
    /// `(Map<K, V>, K, V) -> Map<K, V>`.
    MapInsert,
    /// `(Map<K, V>, K) -> Option<V>`.
    MapGet,
    /// `(Map<K, V>, K) -> Map<K, V>`; removing a missing key is no error.
    MapRemove,
    /// `Map<K, V> -> Int`.
    MapLen,
    /// `(Map<K, V>, K) -> Bool`.
    MapContains,
    /// `(List<T>, T) -> List<T>`, appending at the end.
    ListPush,
    /// `List<T> -> Int`.
    ListLen,
    /// `(List<T>, Int) -> Option<T>`, `None` when out of range.
    ListGet,
    /// `(List<T>, List<T>) -> List<T>`.
    ListConcat,
    /// `(Option<T>, T) -> T`.
    OptionUnwrapOr,
    /// `Option<T> -> Bool`.
    OptionIsSome,
    /// `(Int, Int) -> Int`.
    Min,
    /// `(Int, Int) -> Int`.
    Max,
    /// `Int -> Int`; traps on `abs(MIN)`.
    Abs,
}

/// A type in a primitive's signature: a `Type` with variables.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SigType {
    /// A type variable, bound by the first argument that mentions it.
    Var(u8),
    Unit,
    Bool,
    Int,
    String,
    Option(Box<SigType>),
    List(Box<SigType>),
    Map(Box<SigType>, Box<SigType>),
}

/// A primitive's type: parameters and result, and whether its variable must be ordered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signature {
    pub params: Vec<SigType>,
    pub result: SigType,
    /// When set, variable 0 must be `Int` or `String` (the ordered types).
    pub ordered: bool,
}

impl Prim {
    /// Every primitive, in discriminant order.
    pub const ALL: &'static [Prim] = &[
        Prim::Add,
        Prim::Sub,
        Prim::Mul,
        Prim::Div,
        Prim::Rem,
        Prim::Neg,
        Prim::Eq,
        Prim::Ne,
        Prim::Lt,
        Prim::Le,
        Prim::Gt,
        Prim::Ge,
        Prim::Not,
        Prim::Assert,
        Prim::Concat,
        Prim::StrLen,
        Prim::IntToString,
        Prim::StrContains,
        Prim::MapInsert,
        Prim::MapGet,
        Prim::MapRemove,
        Prim::MapLen,
        Prim::MapContains,
        Prim::ListPush,
        Prim::ListLen,
        Prim::ListGet,
        Prim::ListConcat,
        Prim::OptionUnwrapOr,
        Prim::OptionIsSome,
        Prim::Min,
        Prim::Max,
        Prim::Abs,
    ];

    /// The name printed in combinator listings and disassembly.
    pub fn name(self) -> &'static str {
        match self {
            Prim::Add => "add",
            Prim::Sub => "sub",
            Prim::Mul => "mul",
            Prim::Div => "div",
            Prim::Rem => "rem",
            Prim::Neg => "neg",
            Prim::Eq => "eq",
            Prim::Ne => "ne",
            Prim::Lt => "lt",
            Prim::Le => "le",
            Prim::Gt => "gt",
            Prim::Ge => "ge",
            Prim::Not => "not",
            Prim::Assert => "assert",
            Prim::Concat => "string.concat",
            Prim::StrLen => "string.len",
            Prim::IntToString => "string.from_int",
            Prim::StrContains => "string.contains",
            Prim::MapInsert => "map.insert",
            Prim::MapGet => "map.get",
            Prim::MapRemove => "map.remove",
            Prim::MapLen => "map.len",
            Prim::MapContains => "map.contains",
            Prim::ListPush => "list.push",
            Prim::ListLen => "list.len",
            Prim::ListGet => "list.get",
            Prim::ListConcat => "list.concat",
            Prim::OptionUnwrapOr => "option.unwrap_or",
            Prim::OptionIsSome => "option.is_some",
            Prim::Min => "int.min",
            Prim::Max => "int.max",
            Prim::Abs => "int.abs",
        }
    }

    /// Whether this primitive can trap on some argument of the right type. The simplifier
    /// must not drop a term that may trap.
    pub fn may_trap(self) -> bool {
        matches!(
            self,
            Prim::Add
                | Prim::Sub
                | Prim::Mul
                | Prim::Div
                | Prim::Rem
                | Prim::Neg
                | Prim::Assert
                | Prim::Abs
        )
    }

    /// This primitive's signature.
    pub fn signature(self) -> Signature {
        use SigType as S;
        let v = |n| S::Var(n);
        let map = || S::Map(Box::new(v(0)), Box::new(v(1)));
        let list = || S::List(Box::new(v(0)));
        let opt = || S::Option(Box::new(v(0)));
        let sig = |params: Vec<SigType>, result: SigType| Signature {
            params,
            result,
            ordered: false,
        };
        match self {
            Prim::Add | Prim::Sub | Prim::Mul | Prim::Div | Prim::Rem | Prim::Min | Prim::Max => {
                sig(vec![S::Int, S::Int], S::Int)
            }
            Prim::Neg | Prim::Abs => sig(vec![S::Int], S::Int),
            Prim::Eq | Prim::Ne => sig(vec![v(0), v(0)], S::Bool),
            Prim::Lt | Prim::Le | Prim::Gt | Prim::Ge => Signature {
                params: vec![v(0), v(0)],
                result: S::Bool,
                ordered: true,
            },
            Prim::Not => sig(vec![S::Bool], S::Bool),
            Prim::Assert => sig(vec![S::Bool], S::Unit),
            Prim::Concat => sig(vec![S::String, S::String], S::String),
            Prim::StrLen => sig(vec![S::String], S::Int),
            Prim::IntToString => sig(vec![S::Int], S::String),
            Prim::StrContains => sig(vec![S::String, S::String], S::Bool),
            Prim::MapInsert => sig(vec![map(), v(0), v(1)], map()),
            Prim::MapGet => sig(vec![map(), v(0)], S::Option(Box::new(v(1)))),
            Prim::MapRemove => sig(vec![map(), v(0)], map()),
            Prim::MapLen => sig(vec![map()], S::Int),
            Prim::MapContains => sig(vec![map(), v(0)], S::Bool),
            Prim::ListPush => sig(vec![list(), v(0)], list()),
            Prim::ListLen => sig(vec![list()], S::Int),
            Prim::ListGet => sig(vec![list(), S::Int], opt()),
            Prim::ListConcat => sig(vec![list(), list()], list()),
            Prim::OptionUnwrapOr => sig(vec![opt(), v(0)], v(0)),
            Prim::OptionIsSome => sig(vec![opt()], S::Bool),
        }
    }

    /// The number of parameters.
    pub fn arity(self) -> usize {
        self.signature().params.len()
    }

    /// The result type of this primitive applied to arguments of these types, or why not.
    pub fn instantiate(self, args: &[Type]) -> Result<Type, String> {
        let sig = self.signature();
        if args.len() != sig.params.len() {
            return Err(format!(
                "`{}` takes {} argument{}, found {}",
                self.name(),
                sig.params.len(),
                if sig.params.len() == 1 { "" } else { "s" },
                args.len()
            ));
        }
        let mut bound: Vec<Option<Type>> = vec![None; 4];
        for (i, (param, arg)) in sig.params.iter().zip(args).enumerate() {
            if !bind(param, arg, &mut bound) {
                let expected = describe(param, &bound);
                return Err(format!(
                    "argument {} of `{}` should be {expected}, found {arg}",
                    i + 1,
                    self.name()
                ));
            }
        }
        if sig.ordered {
            match &bound[0] {
                Some(Type::Int | Type::String) => {}
                Some(other) => {
                    return Err(format!(
                        "`{}` compares only Int or String values, found {other}",
                        self.name()
                    ));
                }
                None => return Err(format!("`{}` needs arguments to compare", self.name())),
            }
        }
        substitute(&sig.result, &bound).ok_or_else(|| {
            format!(
                "the result type of `{}` is not determined by its arguments",
                self.name()
            )
        })
    }

    /// The type the primitive takes as its one input value (see the calling convention).
    pub fn input_type(args: &[Type]) -> Type {
        match args {
            [one] => one.clone(),
            many => Type::Tuple(many.to_vec()),
        }
    }
}

fn bind(param: &SigType, arg: &Type, bound: &mut [Option<Type>]) -> bool {
    match (param, arg) {
        (SigType::Var(n), _) => {
            let slot = &mut bound[usize::from(*n)];
            match slot {
                Some(existing) => existing == arg,
                None => {
                    *slot = Some(arg.clone());
                    true
                }
            }
        }
        (SigType::Unit, Type::Unit)
        | (SigType::Bool, Type::Bool)
        | (SigType::Int, Type::Int)
        | (SigType::String, Type::String) => true,
        (SigType::Option(p), Type::Option(a)) | (SigType::List(p), Type::List(a)) => {
            bind(p, a, bound)
        }
        (SigType::Map(pk, pv), Type::Map(ak, av)) => bind(pk, ak, bound) && bind(pv, av, bound),
        _ => false,
    }
}

fn substitute(sig: &SigType, bound: &[Option<Type>]) -> Option<Type> {
    Some(match sig {
        SigType::Var(n) => bound[usize::from(*n)].clone()?,
        SigType::Unit => Type::Unit,
        SigType::Bool => Type::Bool,
        SigType::Int => Type::Int,
        SigType::String => Type::String,
        SigType::Option(inner) => Type::Option(Box::new(substitute(inner, bound)?)),
        SigType::List(inner) => Type::List(Box::new(substitute(inner, bound)?)),
        SigType::Map(k, v) => Type::Map(
            Box::new(substitute(k, bound)?),
            Box::new(substitute(v, bound)?),
        ),
    })
}

/// A parameter type for messages, with bound variables filled in and free ones as `T`.
fn describe(sig: &SigType, bound: &[Option<Type>]) -> String {
    match sig {
        SigType::Var(n) => match &bound[usize::from(*n)] {
            Some(t) => t.to_string(),
            None => ["T", "U", "V", "W"][usize::from(*n) % 4].to_string(),
        },
        SigType::Unit => "Unit".into(),
        SigType::Bool => "Bool".into(),
        SigType::Int => "Int".into(),
        SigType::String => "String".into(),
        SigType::Option(i) => format!("Option<{}>", describe(i, bound)),
        SigType::List(i) => format!("List<{}>", describe(i, bound)),
        SigType::Map(k, v) => format!("Map<{}, {}>", describe(k, bound), describe(v, bound)),
    }
}
