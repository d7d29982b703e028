-- pandoc filter of tools/docsite_guides.py: one Markdown guide of docs/ as a page of the antsibull-docs docsite.
-- Metadata in: `page` (this guide's page, e.g. playbooks/setup), `source` (its path in the collection, e.g.
-- docs/playbooks/setup.md) and `guides` (source path -> page, every guide of docs/docsite/extra-docs.yml).
-- Each heading gets a label (`<prefix><page>` for the title, `<prefix><page>.<GitHub anchor>` for the others), so
-- links between guides become :ref: links that Sphinx checks; links to a role README become the role's page;
-- links to other files of the collection become their path, and so do images.
local prefix = 'ansible_collections.hpc.coldfront_ecs.docsite.'
local roles_prefix = 'ansible_collections.hpc.coldfront_ecs.'
-- Pygments lexers the guides use; any other language (cron, ...) is shown as plain text.
local lexers = {bash = true, console = true, json = true, python = true, sql = true, text = true, yaml = true,
  ini = true, shell = true, jinja = true, diff = true}
local page, source, guides

local function label(target_page, anchor)
  local name = prefix .. target_page:gsub('/', '_')
  if anchor and anchor ~= '' then name = name .. '.' .. anchor end
  return name
end

-- The collection-relative path of a link target written relative to the guide.
local function resolve(target)
  local parts = {}
  for part in (pandoc.path.directory(source) .. '/' .. target):gmatch('[^/]+') do
    if part == '..' then table.remove(parts) elseif part ~= '.' then table.insert(parts, part) end
  end
  return table.concat(parts, '/')
end

local function ref(text, name)
  text = text:gsub('([`<\\])', '\\%1')
  return pandoc.RawInline('rst', ':ref:`' .. text .. ' <' .. name .. '>`')
end

local function Link(link)
  local target = link.target
  if target:match('^%a[%w+.-]*:') then return nil end
  local path, anchor = target:match('^([^#]*)#?(.*)$')
  local text = pandoc.utils.stringify(link.content)
  if path == '' then return ref(text, label(page, anchor)) end
  path = resolve(path)
  if guides[path] then return ref(text, label(guides[path], anchor)) end
  local role = path:match('^roles/([%w_]+)/README%.md$')
  if role then return ref(text, roles_prefix .. role .. '_role') end
  -- Another file of the collection: its path, after the link text when that says something else.
  if text == path or text == pandoc.path.filename(path) then return pandoc.Code(path) end
  return {pandoc.Str(text), pandoc.Space(), pandoc.Str('('), pandoc.Code(path), pandoc.Str(')')}
end

-- antsibull-docs copies only the RST pages of docs/docsite/rst: an image becomes its caption and its file's path.
local function Image(image)
  local path = resolve(image.src)
  return {pandoc.Emph(image.caption), pandoc.Space(), pandoc.Str('(image:'), pandoc.Space(), pandoc.Code(path),
    pandoc.Str(')')}
end

local function CodeBlock(block)
  local language = block.classes[1]
  if not lexers[language] then block.classes = {'text'} end
  return block
end

local function main(doc)
  page = pandoc.utils.stringify(doc.meta.page)
  source = pandoc.utils.stringify(doc.meta.source)
  guides = {}
  for path, target in pairs(doc.meta.guides) do guides[path] = pandoc.utils.stringify(target) end
  doc = doc:walk({Link = Link, Image = Image, CodeBlock = CodeBlock})
  local blocks, titled = {}, false
  for _, block in ipairs(doc.blocks) do
    if block.t == 'Header' then
      local name = titled and label(page, block.identifier) or label(page)
      titled = true
      block.identifier = name
    end
    table.insert(blocks, block)
  end
  doc.blocks = blocks
  doc.meta = {}
  return doc
end

return {{Pandoc = main}}
