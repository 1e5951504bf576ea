//! Where images come from and whether a reference always means the same image.

pub mod image_tag_mutable;
