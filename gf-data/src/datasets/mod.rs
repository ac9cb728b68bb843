//! Small datasets bundled with the crate (iris, digits, wine, breast cancer, diabetes) and
//! seeded generators of synthetic ones, named like scikit-learn's.
