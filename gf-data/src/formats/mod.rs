//! File formats: CSV, NPY / NPZ, IDX (MNIST), safetensors, and image folders.
