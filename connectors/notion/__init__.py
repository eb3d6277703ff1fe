"""Notion (API version 2025-09-03): tasks in a data source (descriptions as Markdown that keeps Notion's
formatting), and the operations summary as a page."""

from connectors.notion.client import API_VERSION, NotionClient
from connectors.notion.connector import NotionConnector
from connectors.notion.mapping import TaskContext, page_to_remote, page_to_task, represent, task_to_properties
from connectors.notion.markdown_parse import parse_markdown
from connectors.notion.markdown_render import normalise, to_markdown
from connectors.notion.models import (
    NotionBlock,
    NotionDatabase,
    NotionDataSource,
    NotionList,
    NotionPage,
    NotionPropertySchema,
    NotionPropertyValue,
    NotionUser,
)
from connectors.notion.schema import ProjectIndex, TaskProperties, resolve_properties

__all__ = [
    "API_VERSION",
    "NotionBlock",
    "NotionClient",
    "NotionConnector",
    "NotionDataSource",
    "NotionDatabase",
    "NotionList",
    "NotionPage",
    "NotionPropertySchema",
    "NotionPropertyValue",
    "NotionUser",
    "ProjectIndex",
    "TaskContext",
    "TaskProperties",
    "normalise",
    "page_to_remote",
    "page_to_task",
    "parse_markdown",
    "represent",
    "resolve_properties",
    "task_to_properties",
    "to_markdown",
]
