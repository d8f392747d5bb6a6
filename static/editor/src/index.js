// The editor bundle: Tiptap's pieces the back office uses, nothing of ours. Our own editor
// code (toolbar, figures, galleries, embeds, dialogs) is static/js/editor.js, readable and
// unbundled; it finds these on window.Tiptap.
import { Editor, Node, Extension, mergeAttributes } from "@tiptap/core";
import StarterKit from "@tiptap/starter-kit";
import { Table, TableRow, TableCell, TableHeader } from "@tiptap/extension-table";
import { Plugin } from "@tiptap/pm/state";
import { NodeSelection } from "@tiptap/pm/state";

window.Tiptap = Object.freeze({
  Editor, Node, Extension, mergeAttributes, StarterKit,
  Table, TableRow, TableCell, TableHeader, Plugin, NodeSelection,
});
