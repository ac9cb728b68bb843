//! `#[derive(Module)]` for gf-nn: a struct of layers gets parameter visiting (`gf_nn::Visit`,
//! which drives state dicts, gradients by name, optimizer steps, parameter counts, train/eval
//! and conversions) and, when every field has it, `gf_nn::Init` (building on a device).
//!
//! Each field is visited under its name (`fc1`), so its tensors get PyTorch's state-dict names
//! (`fc1.weight`); the fields of a tuple struct are named `0`, `1`, ... Attributes:
//!
//! * `#[module(skip)]` on a field: not visited, and built with `Default::default()` by `Init`
//!   (for configuration stored beside the layers);
//! * `#[module(crate = "ghost_flow::nn")]` on the struct: the path of gf-nn when it is used
//!   through the facade rather than as `gf_nn`.

use proc_macro::TokenStream;
use proc_macro2::TokenStream as Tokens;
use quote::{format_ident, quote};
use syn::{parse_macro_input, Data, DeriveInput, Fields, Path};

/// Derives `Visit` and `Init` for a struct of modules; see the crate documentation.
#[proc_macro_derive(Module, attributes(module))]
pub fn derive_module(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    match expand(input) {
        Ok(t) => t.into(),
        Err(e) => e.to_compile_error().into(),
    }
}

struct FieldInfo {
    access: Tokens,
    name: String,
    ty: syn::Type,
    skip: bool,
}

fn expand(input: DeriveInput) -> syn::Result<Tokens> {
    let mut krate: Path = syn::parse_quote!(::gf_nn);
    for attr in &input.attrs {
        if attr.path().is_ident("module") {
            attr.parse_nested_meta(|meta| {
                if meta.path.is_ident("crate") {
                    let lit: syn::LitStr = meta.value()?.parse()?;
                    krate = lit.parse()?;
                    Ok(())
                } else {
                    Err(meta.error("expected `crate = \"path::to::gf_nn\"`"))
                }
            })?;
        }
    }
    let Data::Struct(data) = &input.data else {
        return Err(syn::Error::new_spanned(
            &input.ident,
            "#[derive(Module)] works on structs of layers",
        ));
    };
    let mut fields = Vec::new();
    let named = matches!(data.fields, Fields::Named(_));
    for (i, f) in data.fields.iter().enumerate() {
        let mut skip = false;
        for attr in &f.attrs {
            if attr.path().is_ident("module") {
                attr.parse_nested_meta(|meta| {
                    if meta.path.is_ident("skip") {
                        skip = true;
                        Ok(())
                    } else {
                        Err(meta.error("expected `skip`"))
                    }
                })?;
            }
        }
        let (access, name) = match &f.ident {
            Some(id) => (
                quote!(#id),
                id.to_string().trim_start_matches("r#").to_string(),
            ),
            None => {
                let idx = syn::Index::from(i);
                (quote!(#idx), i.to_string())
            }
        };
        fields.push(FieldInfo {
            access,
            name,
            ty: f.ty.clone(),
            skip,
        });
    }
    let ident = &input.ident;
    let (_, ty_generics, _) = input.generics.split_for_impl();
    let e = format_ident!("__GfE");
    let d = format_ident!("__GfD");

    // Visit<E, D>: every visited field's type must visit with the same E and D.
    let mut visit_generics = input.generics.clone();
    visit_generics
        .params
        .push(syn::parse_quote!(#e: #krate::__private::Dtype));
    visit_generics
        .params
        .push(syn::parse_quote!(#d: #krate::__private::Device<#e>));
    {
        let wc = visit_generics.make_where_clause();
        for f in fields.iter().filter(|f| !f.skip) {
            let ty = &f.ty;
            wc.predicates
                .push(syn::parse_quote!(#ty: #krate::Visit<#e, #d>));
        }
    }
    let (impl_g, _, where_c) = visit_generics.split_for_impl();
    let live: Vec<&FieldInfo> = fields.iter().filter(|f| !f.skip).collect();
    let acc: Vec<&Tokens> = live.iter().map(|f| &f.access).collect();
    let names: Vec<&String> = live.iter().map(|f| &f.name).collect();
    let visit = quote! {
        impl #impl_g #krate::Visit<#e, #d> for #ident #ty_generics #where_c {
            #[allow(unused_variables)]
            fn try_visit<__GfV: #krate::Visitor<#e, #d>>(
                &self,
                prefix: &str,
                v: &mut __GfV,
            ) -> #krate::Result<()> {
                #(#krate::Visit::<#e, #d>::try_visit(&self.#acc, &#krate::join(prefix, #names), v)?;)*
                Ok(())
            }
            #[allow(unused_variables)]
            fn try_visit_mut<__GfV: #krate::VisitorMut<#e, #d>>(
                &mut self,
                prefix: &str,
                v: &mut __GfV,
            ) -> #krate::Result<()> {
                #(#krate::Visit::<#e, #d>::try_visit_mut(&mut self.#acc, &#krate::join(prefix, #names), v)?;)*
                Ok(())
            }
            #[allow(unused_variables)]
            fn set_training(&mut self, training: bool) {
                #(#krate::Visit::<#e, #d>::set_training(&mut self.#acc, training);)*
            }
        }
    };

    // Init<D>: every visited field builds from the device; skipped ones from Default.
    let mut init_generics = input.generics.clone();
    init_generics.params.push(syn::parse_quote!(#d));
    {
        let wc = init_generics.make_where_clause();
        for f in &fields {
            let ty = &f.ty;
            wc.predicates.push(if f.skip {
                syn::parse_quote!(#ty: ::core::default::Default)
            } else {
                syn::parse_quote!(#ty: #krate::Init<#d>)
            });
        }
    }
    let (impl_g, _, where_c) = init_generics.split_for_impl();
    let build: Vec<Tokens> = fields
        .iter()
        .map(|f| {
            let ty = &f.ty;
            let value = if f.skip {
                quote!(<#ty as ::core::default::Default>::default())
            } else {
                quote!(<#ty as #krate::Init<#d>>::try_init(dev)?)
            };
            if named {
                let a = &f.access;
                quote!(#a: #value)
            } else {
                value
            }
        })
        .collect();
    let body = match &data.fields {
        Fields::Named(_) => quote!(Self { #(#build),* }),
        Fields::Unnamed(_) => quote!(Self ( #(#build),* )),
        Fields::Unit => quote!(Self),
    };
    let init = quote! {
        impl #impl_g #krate::Init<#d> for #ident #ty_generics #where_c {
            fn try_init(dev: &#d) -> #krate::__private::CoreResult<Self> {
                Ok(#body)
            }
        }
    };
    Ok(quote!(#visit #init))
}
